/**
 * Lists a model file's candidate model exports without running it: esbuild reports the export
 * names of a module it transforms. Cheap enough to run over every model file of a workspace.
 */
import type * as esbuildType from 'esbuild';
import { RESERVED_EXPORTS } from './loadModelModule';
import { loadEsbuild } from './loadEsbuild';
import { readRegularFile } from '../regularFile';

/** Model sources are read on the editor's side: a named pipe there would block its I/O threads. */
export const MODEL_SOURCE_LIMITS = {
  maxBytes: 64e6,
  limitReason: 'the most a model source file may take',
};

/** A file that imports TensorFlow.js and builds or loads a layers model. */
export function looksLikeModelFile(source: string): boolean {
  return (
    /from\s+['"]@tensorflow\/tfjs[\w-]*['"]|require\(\s*['"]@tensorflow\/tfjs/.test(source) &&
    /\b(sequential|model|loadLayersModel)\s*\(/.test(source) &&
    /\bexport\b/.test(source)
  );
}

export interface ModelFileExports {
  file: string;
  exportNames: string[];
  /** Set when the file does not compile; the names are then unknown. */
  error?: string;
}

export async function listModelExports(file: string): Promise<ModelFileExports> {
  const esbuild = loadEsbuild();
  try {
    const source = (await readRegularFile(file, MODEL_SOURCE_LIMITS)).toString('utf8');
    const result = await esbuild.build({
      stdin: { contents: source, loader: 'ts', sourcefile: file },
      bundle: false,
      write: false,
      metafile: true,
      format: 'esm',
      logLevel: 'silent',
    });
    const exportsList = Object.values(result.metafile.outputs)[0]?.exports ?? [];
    const names = exportsList.filter((n) => !RESERVED_EXPORTS.has(n));
    names.sort((a, b) => (a === 'default' ? -1 : b === 'default' ? 1 : a.localeCompare(b)));
    return { file, exportNames: names };
  } catch (error) {
    const first = (error as { errors?: esbuildType.Message[] }).errors?.[0];
    const where = first?.location ? `:${first.location.line}:${first.location.column + 1}` : '';
    return { file, exportNames: [], error: `${file}${where}: ${first?.text ?? String(error)}` };
  }
}
