// Runs in the `integration-restricted` run (code-server with workspace trust on, folder untrusted).
import * as assert from 'node:assert/strict';
import { join } from 'node:path';
import * as vscode from 'vscode';
import { RESTRICTED_SUITE } from './restrictedSuite';

interface Api {
  getPanels(): unknown[];
  getLastError(): string | undefined;
  wasRefusedForTrust(): boolean;
}

describe(`CNN Inspector ${RESTRICTED_SUITE}`, () => {
  it('is in restricted mode', () => {
    assert.equal(vscode.workspace.isTrusted, false);
  });

  it('explains instead of running a model file, and opens no panel', async () => {
    const extension = vscode.extensions.getExtension<Api>('cnn-inspector.cnn-inspector')!;
    const api = await extension.activate();
    const folder = vscode.workspace.workspaceFolders![0].uri.fsPath;
    const snapshot = await vscode.commands.executeCommand('cnnInspector.visualizeLayer', {
      modelFile: join(folder, 'lenet.ts'),
      layerName: 'conv1',
      image: join(folder, 'images', 'camera.png'),
    });
    assert.equal(snapshot, undefined);
    assert.equal(api.wasRefusedForTrust(), true);
    assert.deepEqual(api.getPanels(), []);
    assert.equal(api.getLastError(), undefined, 'refusing is not an error');
  });
});
