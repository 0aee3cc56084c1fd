import * as assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import * as vscode from 'vscode';

// The extension's own types: what visualizeLayer resolves to, and what activate() returns.
import type { CnnInspectorApi } from '../../src/extension/extension';
import type { PanelSnapshot } from '../../src/extension/panel/modelPanel';

const EXTENSION_ID = 'cnn-inspector.cnn-inspector';
const COMMANDS = [
  'cnnInspector.visualizeLayer',
  'cnnInspector.explainLayer',
  'cnnInspector.inspectImage',
  'cnnInspector.showLog',
  'cnnInspector.restartWorker',
];
// LeNet-5 as written in examples/lenet.ts.
const LENET_LAYERS = ['conv1', 'pool1', 'conv2', 'pool2', 'flatten', 'fc1', 'fc2', 'predictions'];

function workspaceRoot(): string {
  const folder = vscode.workspace.workspaceFolders?.[0];
  assert.ok(folder, 'the tests need the examples folder open as the workspace');
  return folder.uri.fsPath;
}

function firstExampleImage(): string {
  const dir = join(workspaceRoot(), 'images');
  const png = readdirSync(dir, { recursive: true, encoding: 'utf8' })
    .filter((f) => /\.png$/i.test(f))
    .sort()[0];
  assert.ok(png, `no .png image under ${dir}`);
  return join(dir, png);
}

async function api(): Promise<CnnInspectorApi> {
  const extension = vscode.extensions.getExtension<CnnInspectorApi>(EXTENSION_ID);
  assert.ok(extension, `extension ${EXTENSION_ID} is not loaded`);
  return extension.activate();
}

function visualizeLayer(
  modelFile: string,
  layerName: string,
  image: string,
): Thenable<PanelSnapshot | undefined> {
  return vscode.commands.executeCommand<PanelSnapshot | undefined>('cnnInspector.visualizeLayer', {
    modelFile,
    exportName: 'default',
    layerName,
    image,
  });
}

describe('CNN Inspector extension', function () {
  // Running a model means bundling it and starting the worker: the first call is slow.
  this.timeout(180_000);

  it('activates and registers its commands', async () => {
    const extension = vscode.extensions.getExtension<CnnInspectorApi>(EXTENSION_ID);
    assert.ok(extension, `extension ${EXTENSION_ID} is not loaded`);
    const exported = await extension.activate();
    assert.equal(extension.isActive, true);
    assert.equal(
      typeof exported?.getPanels,
      'function',
      'activate() returns { getPanels, getLastError }',
    );
    assert.equal(
      typeof exported?.getLastError,
      'function',
      'activate() returns { getPanels, getLastError }',
    );
    const registered = new Set(await vscode.commands.getCommands(true));
    for (const command of COMMANDS)
      assert.ok(registered.has(command), `command ${command} is not registered`);
  });

  it('visualizeLayer opens a panel on conv1 of LeNet', async () => {
    const modelFile = join(workspaceRoot(), 'lenet.ts');
    const image = firstExampleImage();
    const snapshot = await visualizeLayer(modelFile, 'conv1', image);
    assert.ok(
      snapshot,
      `visualizeLayer resolved to undefined; last error: ${(await api()).getLastError()}`,
    );
    assert.deepEqual(snapshot, {
      modelFile,
      exportName: 'default',
      selectedLayer: 'conv1',
      inputSource: image,
      layerCount: LENET_LAYERS.length,
    });
    const panels = (await api()).getPanels();
    assert.ok(
      panels.some(
        (p) => p.modelFile === modelFile && p.selectedLayer === 'conv1' && p.inputSource === image,
      ),
      `getPanels() does not list the panel: ${JSON.stringify(panels)}`,
    );
  });

  describe('with a model file that does not compile', () => {
    let tempDir: string;
    let brokenFile: string;

    before(() => {
      // Inside the workspace, like a user's file; removed afterwards.
      const parent = join(workspaceRoot(), '.integration-tmp');
      mkdirSync(parent, { recursive: true });
      tempDir = mkdtempSync(join(parent, 'broken-'));
      brokenFile = join(tempDir, 'broken.ts');
      writeFileSync(
        brokenFile,
        [
          "import * as tf from '@tensorflow/tfjs';",
          'export default function model(): tf.LayersModel {',
          '  return tf.sequential({ layers: [ });', // line 3: the array is never closed
          '}',
          '',
        ].join('\n'),
      );
    });

    after(() => {
      rmSync(join(workspaceRoot(), '.integration-tmp'), { recursive: true, force: true });
    });

    it('resolves to undefined and reports the file and line 3', async () => {
      const snapshot = await visualizeLayer(brokenFile, 'conv1', firstExampleImage());
      assert.equal(snapshot, undefined);
      const error = (await api()).getLastError();
      assert.ok(error, 'getLastError() is empty after a failed visualizeLayer');
      assert.match(error, /broken\.ts/, `the error does not name the file: ${error}`);
      // e.g. "broken.ts:3:36", "broken.ts (3:36)", "broken.ts, line 3"
      assert.match(
        error,
        /broken\.ts\W{1,3}(line\s*)?3\b|line 3\b/i,
        `the error does not give line 3: ${error}`,
      );
    });

    it('still visualizes LeNet after the failure', async () => {
      const modelFile = join(workspaceRoot(), 'lenet.ts');
      const image = firstExampleImage();
      const snapshot = await visualizeLayer(modelFile, 'conv2', image);
      assert.ok(
        snapshot,
        `visualizeLayer resolved to undefined; last error: ${(await api()).getLastError()}`,
      );
      assert.equal(snapshot.modelFile, modelFile);
      assert.equal(snapshot.selectedLayer, 'conv2');
      assert.equal(snapshot.layerCount, LENET_LAYERS.length);
    });
  });
});
