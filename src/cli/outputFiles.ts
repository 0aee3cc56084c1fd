/**
 * Where the CLI will write (`--json`, `--out`) is checked before the model runs: a typo in a folder
 * name must not cost a long run and then fail.
 */
import { accessSync, constants, statSync, type Stats } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { InspectorError } from '../analysis/errors';

function statOrUndefined(path: string): Stats | undefined {
  try {
    return statSync(path);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ENOENT' || code === 'ENOTDIR') return undefined;
    throw error;
  }
}

function writable(path: string): string | undefined {
  try {
    accessSync(path, constants.W_OK);
    return undefined;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code ?? (error as Error).message;
  }
}

/** Throws a 'usage' InspectorError when `--<flag> <path>` cannot be written as a file. */
export function checkOutputFile(flag: string, path: string): void {
  const file = resolve(path);
  const folder = dirname(file);
  function refuse(why: string): never {
    throw new InspectorError('usage', `--${flag} ${file}: ${why}.`);
  }
  const existing = statOrUndefined(file);
  if (existing?.isDirectory()) refuse('is a folder; give a file name');
  if (existing && !existing.isFile()) refuse('exists and is not a regular file');
  const parent = statOrUndefined(folder);
  if (!parent) {
    const above = statOrUndefined(dirname(folder));
    if (above && !above.isDirectory()) refuse(`${dirname(folder)} is not a folder`);
    refuse(`the folder ${folder} does not exist`);
  }
  if (!parent.isDirectory()) refuse(`${folder} is not a folder`);
  const folderProblem = writable(folder);
  if (folderProblem) refuse(`cannot write in the folder ${folder} (${folderProblem})`);
  const fileProblem = existing ? writable(file) : undefined;
  if (fileProblem) refuse(`cannot overwrite the file (${fileProblem})`);
}
