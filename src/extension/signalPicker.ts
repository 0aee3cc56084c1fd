/**
 * The input picker of 1-D models: the workspace's .csv / .json signal files and the synthetic
 * signals (step, impulse, sine). A choice is a signal source as the worker and the CLI take it:
 * a file path or `synthetic:<kind>` (see src/analysis/explain/signal.ts).
 */
import * as vscode from 'vscode';
import { basename, dirname, extname } from 'node:path';
import { SYNTHETIC_SIGNALS } from '../analysis/explain/signal';
import { signalFit, type SignalFit } from '../analysis/inputFit';
import { readRegularFile } from '../analysis/regularFile';
import { stat } from 'node:fs/promises';
import type { ModelService } from './modelService';
import type { ModelRef } from '../protocol/worker/workerProtocol';
import { pickImage } from './pickers';
import { pickFileOrBrowse, type FileItem } from './openDialogs';

const EXCLUDE = '{**/node_modules/**,**/dist/**,**/out/**,**/.git/**,**/.vscode/**}';
/** Larger files are listed without being read (a signal this long is rare; reading is slow). */
const MAX_CHECKED_BYTES = 16e6;

const SYNTHETIC_DETAILS: Record<(typeof SYNTHETIC_SIGNALS)[number], string> = {
  step: '0 before the middle, 1 from the middle on',
  impulse: '1 at the middle step, 0 elsewhere',
  sine: 'one period every quarter of the length',
};

/** A file's fit to the model's input; 'unchecked' when too large to read for a list. */
async function fitOf(
  file: string,
  inputShape: readonly (number | null)[],
): Promise<SignalFit | 'unchecked' | undefined> {
  try {
    const info = await stat(file);
    if (info.isFile() && info.size > MAX_CHECKED_BYTES) return 'unchecked';
    const text = (await readRegularFile(file, { maxBytes: MAX_CHECKED_BYTES })).toString('utf8');
    return signalFit(text, extname(file), inputShape);
  } catch {
    return undefined; // not a regular file, or unreadable: not offered
  }
}

/**
 * The workspace's .csv / .json files whose content is a signal (a training log or a configuration
 * is not offered), those that fit the model's input [steps, channels] first, then the synthetic
 * signals.
 */
export async function pickSignal(
  inputShape: readonly (number | null)[] = [null, null],
): Promise<string | undefined> {
  const uris = await vscode.workspace.findFiles('**/*.{csv,json,CSV,JSON}', EXCLUDE, 1000);
  const files = uris.map((u) => u.fsPath).sort((a, b) => a.localeCompare(b));
  const fits = await Promise.all(files.map((file) => fitOf(file, inputShape)));
  const item = (file: string, fit: SignalFit | 'unchecked' | undefined): FileItem => ({
    label: basename(file),
    description: vscode.workspace.asRelativePath(dirname(file)),
    ...(fit && fit !== 'unchecked' ? { detail: fit.note } : {}),
    path: file,
  });
  const where = (keep: (fit: SignalFit | 'unchecked' | undefined) => boolean) =>
    files.flatMap((file, i) => (keep(fits[i]) ? [item(file, fits[i])] : []));
  const group = (label: string, entries: FileItem[]): FileItem[] =>
    entries.length ? [{ label, kind: vscode.QuickPickItemKind.Separator }, ...entries] : [];
  const items: FileItem[] = [
    ...group(
      'Signals the model takes',
      where((fit) => fit !== 'unchecked' && fit?.fits === true),
    ),
    ...group(
      'Synthetic',
      SYNTHETIC_SIGNALS.map((kind) => ({
        label: `synthetic:${kind}`,
        description: SYNTHETIC_DETAILS[kind],
        path: `synthetic:${kind}`,
      })),
    ),
    ...group(
      'Signals of another shape',
      where((fit) => fit !== 'unchecked' && fit?.fits === false),
    ),
    ...group(
      'Too large to check here',
      where((fit) => fit === 'unchecked'),
    ),
  ];
  return pickFileOrBrowse(
    items,
    {
      title: 'CNN Inspector: pick a signal',
      placeHolder:
        'CSV (one step per line, one column per channel) or JSON array, or a synthetic one',
      matchOnDescription: true,
    },
    {
      description: 'a .csv or .json file anywhere',
      title: 'Signal for CNN Inspector',
      filters: { Signals: ['csv', 'json', 'txt'] },
    },
  );
}

/** Whether a model's input is a sequence ([steps, channels]) rather than an image. */
export function takesSignal(inputShape: readonly (number | null)[]): boolean {
  return inputShape.length === 2;
}

/** The right picker for a model: signals for 1-D models, images otherwise. */
export async function pickInputFor(
  models: ModelService,
  ref: ModelRef,
): Promise<string | undefined> {
  const loaded = await models.loadModel(ref);
  const { inputShape } = loaded.summary;
  return takesSignal(inputShape) ? pickSignal(inputShape) : pickImage(inputShape);
}
