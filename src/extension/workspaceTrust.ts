/**
 * The one gate in front of everything that runs workspace code: model files, their relative
 * imports and packages, a workspace's tfjs-node. All of that runs in model worker threads, and every
 * worker the extension starts (the panel's, the gallery pool's) is a WorkerClient given
 * {@link assertWorkspaceTrusted} as its gate, which it calls before each request. Commands also
 * call {@link requireTrust} first, to say why nothing happens and offer to manage trust.
 */
import * as vscode from 'vscode';
import { InspectorError } from '../analysis/errors';

export const TRUST_WARNING =
  'CNN Inspector runs your model files, which means running code from this workspace. Trust the workspace to inspect models.';

let trustRefused = false;

/** Whether running workspace code was refused because the workspace is not trusted (for tests). */
export function wasRefusedForTrust(): boolean {
  return trustRefused;
}

/** The worker clients' gate: throws (without a dialog) in an untrusted workspace. */
export function assertWorkspaceTrusted(): void {
  if (vscode.workspace.isTrusted) return;
  trustRefused = true;
  throw new InspectorError('usage', TRUST_WARNING);
}

/** For commands: false, with a warning that offers to manage trust, in an untrusted workspace. */
export function requireTrust(): boolean {
  if (vscode.workspace.isTrusted) return true;
  trustRefused = true;
  void vscode.window.showWarningMessage(TRUST_WARNING, 'Manage Workspace Trust').then((choice) => {
    if (choice) void vscode.commands.executeCommand('workbench.trust.manage');
  });
  return false;
}
