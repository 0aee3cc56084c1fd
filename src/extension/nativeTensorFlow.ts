/**
 * "CNN Inspector: Use native TensorFlow": native TensorFlow (@tensorflow/tfjs-node) is never
 * shipped in the VSIX (it is a 100+ MB native package per platform that downloads libtensorflow
 * when installed). The model worker loads it from a workspace folder's node_modules when it is
 * there; this command says whether it is, and how to install it.
 */
import * as vscode from 'vscode';
import { COMMAND } from './commandIds';
import { readSettings, updateSetting } from './settings';
import { findNativeTensorFlow, NATIVE_TENSORFLOW_PACKAGE } from '../analysis/findNativeTensorFlow';

const INSTALL = `npm install ${NATIVE_TENSORFLOW_PACKAGE}@4.22.0`;

export async function useNativeTensorFlow(restartWorker: () => void): Promise<void> {
  const folders = (vscode.workspace.workspaceFolders ?? []).map((f) => f.uri.fsPath);
  const backend = readSettings().backend;
  const found = findNativeTensorFlow(folders);
  if (found) {
    const useIt = backend === 'wasm' || backend === 'cpu' ? 'Set backend to auto' : undefined;
    const choice = await vscode.window.showInformationMessage(
      `CNN Inspector: native TensorFlow is installed (${found}). ` +
        (useIt
          ? `The backend setting is '${backend}', so it is not used.`
          : 'The model worker uses it (the status bar shows the backend); if it fails to load, the log says why.'),
      ...(useIt ? [useIt] : []),
      'Show Log',
    );
    if (choice === useIt && useIt) {
      await updateSetting('backend', 'auto');
    } else if (choice === 'Show Log') {
      await vscode.commands.executeCommand(COMMAND.showLog);
    }
    return;
  }
  if (folders.length === 0) {
    void vscode.window.showWarningMessage(
      `CNN Inspector: native TensorFlow is looked up in a workspace folder's node_modules; open a folder, then run \`${INSTALL}\` in it.`,
    );
    return;
  }
  const runIt = 'Install in a terminal';
  const copy = 'Copy command';
  const choice = await vscode.window.showInformationMessage(
    `CNN Inspector runs models on WebAssembly; native TensorFlow is faster on large models. ` +
      `It is not shipped with the extension: install it into the workspace with \`${INSTALL}\` ` +
      `(it downloads libtensorflow, about 100 MB, for Linux, macOS or Windows on x64; Node ABI of ` +
      `the editor permitting). Then run "CNN Inspector: Restart model worker".`,
    { modal: true },
    runIt,
    copy,
  );
  if (choice === copy) {
    await vscode.env.clipboard.writeText(INSTALL);
  } else if (choice === runIt) {
    const terminal = vscode.window.createTerminal({
      name: 'CNN Inspector: install tfjs-node',
      cwd: folders[0],
    });
    terminal.show();
    terminal.sendText(INSTALL);
    const done = await vscode.window.showInformationMessage(
      'CNN Inspector: when the install has finished, restart the model worker to use it.',
      'Restart model worker',
    );
    if (done) restartWorker();
  }
}
