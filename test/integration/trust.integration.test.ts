// Runs in the `integration-restricted` run (code-server with workspace trust on, folder untrusted).
import * as assert from 'node:assert/strict';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as vscode from 'vscode';
import { RESTRICTED_SUITE } from './restrictedSuite';
import type { CnnInspectorApi } from '../../src/extension/extension';

/** A model file that leaves a marker file behind if anything runs it. */
function writeTripwire(dir: string): { file: string; marker: string } {
  const file = join(dir, 'tripwire.ts');
  const marker = join(dir, 'tripwire.ran');
  writeFileSync(
    file,
    `import * as tf from '@tensorflow/tfjs';
import { writeFileSync } from 'node:fs';
writeFileSync(${JSON.stringify(marker)}, 'workspace code ran');
export default function tripwire() {
  const model = tf.sequential();
  model.add(tf.layers.conv2d({ inputShape: [28, 28, 1], filters: 2, kernelSize: 3 }));
  model.add(tf.layers.maxPooling2d({ poolSize: 2 }));
  return model;
}
`,
  );
  return { file, marker };
}

const pause = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe(`CNN Inspector ${RESTRICTED_SUITE}`, () => {
  const folder = () => vscode.workspace.workspaceFolders![0].uri.fsPath;
  const dir = mkdtempSync(join(tmpdir(), 'cnn-trust-'));
  const { file: tripwire, marker } = writeTripwire(dir);
  let api: CnnInspectorApi;

  before(async () => {
    api = await vscode.extensions
      .getExtension<CnnInspectorApi>('cnn-inspector.cnn-inspector')!
      .activate();
  });
  afterEach(() => {
    assert.equal(existsSync(marker), false, 'workspace code ran');
    assert.deepEqual(api.getPanels(), []);
    assert.equal(api.getLastError(), undefined, 'refusing is not an error');
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  it('is in restricted mode', () => {
    assert.equal(vscode.workspace.isTrusted, false);
  });

  it('explains instead of running a model file, and opens no panel', async () => {
    const snapshot = await vscode.commands.executeCommand('cnnInspector.visualizeLayer', {
      modelFile: join(folder(), 'lenet.ts'),
      layerName: 'conv1',
      image: join(folder(), 'images', 'camera.png'),
    });
    assert.equal(snapshot, undefined);
    assert.equal(api.wasRefusedForTrust(), true);
  });

  // Every command that can run a model file, each with the tripwire.
  it('Visualize layer', async () => {
    const result = await vscode.commands.executeCommand('cnnInspector.visualizeLayer', {
      modelFile: tripwire,
      image: join(folder(), 'images', 'camera.png'),
    });
    assert.equal(result, undefined);
  });

  it('Inspect image (explorer)', async () => {
    const image = vscode.Uri.file(join(folder(), 'images', 'camera.png'));
    assert.equal(
      await vscode.commands.executeCommand('cnnInspector.inspectImage', image),
      undefined,
    );
  });

  it('Build gallery from folder', async () => {
    const images = vscode.Uri.file(join(folder(), 'images', 'fashion-mnist'));
    const result = await vscode.commands.executeCommand('cnnInspector.buildGallery', images, {
      modelFile: tripwire,
    });
    assert.equal(result, undefined);
  });

  it('the lens on an unnamed layer (visualizeLayerAt)', async () => {
    const result = await vscode.commands.executeCommand('cnnInspector.visualizeLayerAt', {
      modelFile: tripwire,
      line: 6,
    });
    assert.equal(result, undefined);
  });

  it('Reveal layer of a layer the source does not name', async () => {
    const result = await vscode.commands.executeCommand('cnnInspector.revealLayer', {
      modelFile: tripwire,
      layerName: 'conv2d_1',
      quiet: true,
    });
    assert.equal(result, undefined);
  });

  it('Pick a layer instance', async () => {
    const picked = vscode.commands.executeCommand('cnnInspector.pickLayerInstance', {
      modelFile: tripwire,
      exportName: 'default',
      layerNames: ['conv2d_1', 'max_pooling2d_1'],
    });
    await pause(500);
    await vscode.commands.executeCommand('workbench.action.acceptSelectedQuickOpenItem');
    assert.equal(await picked, undefined);
  });

  it('saving a model file', async () => {
    const document = await vscode.workspace.openTextDocument(tripwire);
    const editor = await vscode.window.showTextDocument(document);
    await editor.edit((e) => e.insert(new vscode.Position(0, 0), '// edited\n'));
    await document.save();
    await pause(1500); // past the re-run debounce
    await vscode.commands.executeCommand('workbench.action.closeAllEditors');
  });
});
