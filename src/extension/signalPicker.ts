/**
 * The input picker of 1-D models: the workspace's .csv / .json signal files and the synthetic
 * signals (step, impulse, sine). A choice is a signal source as the worker and the CLI take it:
 * a file path or `synthetic:<kind>` (see src/analysis/explain/signal.ts).
 */
import * as vscode from 'vscode';
import { basename, dirname } from 'node:path';
import { SYNTHETIC_SIGNALS } from '../analysis/explain/signal';
import type { ModelService } from './modelService';
import type { ModelRef } from '../protocol/worker/workerProtocol';
import { pickImage } from './pickers';

const EXCLUDE = '{**/node_modules/**,**/dist/**,**/out/**,**/.git/**,**/.vscode/**}';
/** JSON files that are configuration or TensorFlow.js model topologies, never signals. */
const NOT_SIGNALS =
  /^(package(-lock)?|model|tsconfig(\..*)?|jsconfig|\.eslintrc|\.prettierrc|settings|launch|tasks)\.json$/i;
const BROWSE = '$(folder-opened) Browse\u2026';

const SYNTHETIC_DETAILS: Record<(typeof SYNTHETIC_SIGNALS)[number], string> = {
  step: '0 before the middle, 1 from the middle on',
  impulse: '1 at the middle step, 0 elsewhere',
  sine: 'one period every quarter of the length',
};

export async function pickSignal(): Promise<string | undefined> {
  const uris = await vscode.workspace.findFiles('**/*.{csv,json,CSV,JSON}', EXCLUDE, 1000);
  const files = uris
    .map((u) => u.fsPath)
    .filter((f) => !NOT_SIGNALS.test(basename(f)))
    .sort((a, b) => a.localeCompare(b));
  type Item = vscode.QuickPickItem & { source?: string };
  const items: Item[] = files.map((file) => ({
    label: basename(file),
    description: vscode.workspace.asRelativePath(dirname(file)),
    source: file,
  }));
  items.push({ label: 'Synthetic', kind: vscode.QuickPickItemKind.Separator });
  for (const kind of SYNTHETIC_SIGNALS) {
    items.push({
      label: `synthetic:${kind}`,
      description: SYNTHETIC_DETAILS[kind],
      source: `synthetic:${kind}`,
    });
  }
  items.push({ label: BROWSE, description: 'a .csv or .json file anywhere' });
  const picked = await vscode.window.showQuickPick(items, {
    title: 'CNN Inspector: pick a signal',
    placeHolder:
      'CSV (one step per line, one column per channel) or JSON array, or a synthetic one',
    matchOnDescription: true,
  });
  if (!picked) return undefined;
  if (picked.source) return picked.source;
  const chosen = await vscode.window.showOpenDialog({
    canSelectMany: false,
    filters: { Signals: ['csv', 'json', 'txt'] },
    title: 'Signal for CNN Inspector',
  });
  return chosen?.[0]?.fsPath;
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
  return takesSignal(loaded.summary.inputShape) ? pickSignal() : pickImage();
}
