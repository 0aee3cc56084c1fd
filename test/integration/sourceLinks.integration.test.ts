import * as assert from 'node:assert/strict';
import { cpSync, mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import * as vscode from 'vscode';

// Lenses, reveal and re-run on save, inside the real VS Code, on examples/lenet.ts.
// The extension's own types: what visualizeLayer resolves to, and what activate() returns.
import type { CnnInspectorApi } from '../../src/extension/extension';
import type { PanelSnapshot } from '../../src/extension/panel/modelPanel';

const EXTENSION_ID = 'cnn-inspector.cnn-inspector';
const DOT = '\u00b7';
// examples/lenet.ts, numbers derived by hand: conv1 'same' 5x5x1x6 + 6 = 156 params, RF 5;
// pool1 2/2: 14x14, RF 5 + 1 = 6 (jump 2); conv2 'valid' 5x5x6x16 + 16 = 2,416, 10x10, RF 6 + 4*2
// = 14; pool2 5x5, RF 14 + 2 = 16; flatten 400; fc1 400*120 + 120 = 48,120; fc2 120*84 + 84 =
// 10,164; predictions 84*10 + 10 = 850.
const LENET_LENSES: [number, string][] = [
  [22, `Visualize model lenetUntrained ${DOT} 8 layers ${DOT} 61.7k params`],
  [26, `Visualize layer ${DOT} 28x28x6 ${DOT} 156 params ${DOT} RF 5x5`],
  [36, `Visualize layer ${DOT} 14x14x6 ${DOT} 0 params ${DOT} RF 6x6`],
  [38, `Visualize layer ${DOT} 10x10x16 ${DOT} 2,416 params ${DOT} RF 14x14`],
  [47, `Visualize layer ${DOT} 5x5x16 ${DOT} 0 params ${DOT} RF 16x16`],
  [48, `Visualize layer ${DOT} 400 ${DOT} 0 params`],
  [50, `Visualize layer ${DOT} 120 ${DOT} 48.1k params`],
  [53, `Visualize layer ${DOT} 84 ${DOT} 10.2k params`],
  [56, `Visualize layer ${DOT} 10 ${DOT} 850 params`],
  [67, `Visualize model ${DOT} 8 layers ${DOT} 61.7k params`],
];

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
  return join(dir, png);
}

async function api(): Promise<CnnInspectorApi> {
  const extension = vscode.extensions.getExtension<CnnInspectorApi>(EXTENSION_ID);
  assert.ok(extension);
  return extension.activate();
}

/** Lenses as `[line, title]` (1-based lines), by line. */
async function lensesOf(file: string): Promise<[number, string][]> {
  const uri = vscode.Uri.file(file);
  await vscode.workspace.openTextDocument(uri);
  const lenses =
    (await vscode.commands.executeCommand<vscode.CodeLens[]>(
      'vscode.executeCodeLensProvider',
      uri,
    )) ?? [];
  return lenses
    .map((l): [number, string] => [l.range.start.line + 1, l.command?.title ?? ''])
    .sort((a, b) => a[0] - b[0]); // stable: a line's lenses keep the provider's order
}

async function waitFor<T>(
  what: string,
  probe: () => Promise<T>,
  ok: (v: T) => boolean,
): Promise<T> {
  const deadline = Date.now() + 90_000;
  let last = await probe();
  while (!ok(last)) {
    if (Date.now() > deadline)
      assert.fail(
        `timed out waiting for ${what}; last: ${JSON.stringify(last)}; error: ${(await api()).getLastError()}`,
      );
    await new Promise((r) => setTimeout(r, 250));
    last = await probe();
  }
  return last;
}

const visualize = (modelFile: string, exportName: string, layerName: string) =>
  vscode.commands.executeCommand<PanelSnapshot | undefined>('cnnInspector.visualizeLayer', {
    modelFile,
    exportName,
    layerName,
    image: firstExampleImage(),
  });

describe('source links', function () {
  this.timeout(240_000);
  const settings = () => vscode.workspace.getConfiguration('cnnInspector');
  let tempDir: string;

  before(async () => {
    // Lens clicks carry no image: the default image setting answers instead of a picker.
    await settings().update('defaultImage', firstExampleImage(), vscode.ConfigurationTarget.Global);
    const parent = join(workspaceRoot(), '.integration-tmp-source');
    mkdirSync(parent, { recursive: true });
    tempDir = mkdtempSync(join(parent, 'lenet-'));
  });

  after(async () => {
    await settings().update('defaultImage', undefined, vscode.ConfigurationTarget.Global);
    await vscode.commands.executeCommand('workbench.action.closeAllEditors');
    rmSync(join(workspaceRoot(), '.integration-tmp-source'), { recursive: true, force: true });
  });

  it('shows lenses on lenet.ts without a run, then with the facts of the run', async () => {
    const lenet = join(workspaceRoot(), 'lenet.ts');
    // The static pass alone: every lens is there (titles may already carry facts if an earlier
    // test ran LeNet; the lines are what matter here).
    const early = await lensesOf(lenet);
    assert.deepEqual(
      early.map(([line]) => line),
      LENET_LENSES.map(([line]) => line),
    );
    // Before any run, a layer lens names the layer it opens (no facts yet, but never anonymous).
    if (!early.some(([, t]) => t.includes('params')))
      assert.deepEqual(
        early.find(([line]) => line === 38),
        [38, 'Visualize layer conv2'],
      );
    const snapshot = await visualize(lenet, 'default', 'conv1');
    assert.ok(snapshot, `visualizeLayer failed: ${(await api()).getLastError()}`);
    await visualize(lenet, 'lenetUntrained', 'conv1');
    const lenses = await waitFor(
      'the lenses of lenet.ts to carry the run facts',
      () => lensesOf(lenet),
      (l) => l.some(([, t]) => t.includes('RF 5x5')) && l.some(([, t]) => t.includes('61.7k')),
    );
    assert.deepEqual(lenses, LENET_LENSES);
    // Hover on conv1's call: 28*28 positions * 6 filters * 25 taps = 117,600 MACs (118k).
    const hovers = await vscode.commands.executeCommand<vscode.Hover[]>(
      'vscode.executeHoverProvider',
      vscode.Uri.file(lenet),
      new vscode.Position(25, 18),
    );
    const text = hovers
      .flatMap((h) => h.contents)
      .map((c) => (typeof c === 'string' ? c : c.value))
      .join('\n');
    assert.match(text, /\*\*conv1\*\* \(Conv2D\)/);
    assert.match(text, /\| output \| 28x28x6 \|/);
    assert.match(text, /\| parameters \| 156 \|/);
    assert.match(text, /\| MACs \| 118k \|/);
    assert.match(text, /\| receptive field \| 5x5 \|/);
  });

  it('a layer lens command opens the panel at that layer', async () => {
    const lenet = join(workspaceRoot(), 'lenet.ts');
    const uri = vscode.Uri.file(lenet);
    const lenses =
      (await vscode.commands.executeCommand<vscode.CodeLens[]>(
        'vscode.executeCodeLensProvider',
        uri,
      )) ?? [];
    const conv2 = lenses.find((l) => l.range.start.line === 37 && l.command);
    assert.ok(conv2?.command, 'no lens on line 38 (conv2)');
    assert.equal(conv2.command.command, 'cnnInspector.visualizeLayer');
    const snapshot = await vscode.commands.executeCommand<PanelSnapshot | undefined>(
      conv2.command.command,
      ...(conv2.command.arguments ?? []),
    );
    assert.ok(snapshot, `the lens command failed: ${(await api()).getLastError()}`);
    assert.equal(snapshot.modelFile, lenet);
    assert.equal(snapshot.selectedLayer, 'conv2');
  });

  it('revealLayer opens the file at the line that creates the layer', async () => {
    const lenet = join(workspaceRoot(), 'lenet.ts');
    const revealed = await vscode.commands.executeCommand<{ file: string; line: number }>(
      'cnnInspector.revealLayer',
      { modelFile: lenet, exportName: 'default', layerName: 'fc1' },
    );
    assert.deepEqual({ file: revealed?.file, line: revealed?.line }, { file: lenet, line: 50 });
    const editor = vscode.window.activeTextEditor;
    assert.equal(editor?.document.uri.fsPath, lenet);
    assert.equal(editor?.selection.active.line, 49);
  });

  it('editing a kernel size and saving re-runs the model and updates the panel and the lens', async () => {
    const copy = join(tempDir, 'lenet.ts');
    cpSync(join(workspaceRoot(), 'lenet.ts'), copy);
    const before = await visualize(copy, 'lenetUntrained', 'conv2');
    assert.ok(before, `visualizeLayer failed: ${(await api()).getLastError()}`);
    await waitFor(
      'the conv2 lens of the copy',
      () => lensesOf(copy),
      (l) => l.some(([line, t]) => line === 38 && t.includes('2,416 params')),
    );
    const document = await vscode.workspace.openTextDocument(copy);
    const line = document.lineAt(40); // line 41: `kernelSize: 5,` of conv2
    assert.match(line.text, /kernelSize: 5/);
    const edit = new vscode.WorkspaceEdit();
    edit.replace(document.uri, line.range, line.text.replace('kernelSize: 5', 'kernelSize: 3'));
    assert.ok(await vscode.workspace.applyEdit(edit));
    assert.ok(await document.save());
    // conv2 'valid' 3x3 on 14x14x6: 12x12x16, 3*3*6*16 + 16 = 880 params, RF 6 + 2*2 = 10.
    const lenses = await waitFor(
      'the conv2 lens after the save',
      () => lensesOf(copy),
      (l) => l.some(([n, t]) => n === 38 && t.includes('880 params')),
    );
    assert.ok(
      lenses.some(
        ([n, t]) =>
          n === 38 && t === `Visualize layer ${DOT} 12x12x16 ${DOT} 880 params ${DOT} RF 10x10`,
      ),
      JSON.stringify(lenses),
    );
    // pool2 6x6x16, flatten 576, fc1 576*120 + 120 = 69,240.
    assert.ok(
      lenses.some(([n, t]) => n === 50 && t === `Visualize layer ${DOT} 120 ${DOT} 69.2k params`),
    );
    const panel = (await api()).getPanels().find((p) => p.modelFile === copy);
    assert.ok(panel, 'the panel of the copy is gone');
    assert.equal(panel.selectedLayer, 'conv2', 'the panel kept its layer');
    assert.equal(panel.inputSource, firstExampleImage(), 'the panel kept its image');
  });

  it('maps every layer a helper makes in a loop to the helper line and the loop call site', async () => {
    const file = join(tempDir, 'helperLoop.ts');
    writeFileSync(
      file,
      [
        "import * as tfjs from '@tensorflow/tfjs';",
        '',
        'function convBlock(filters: number) {',
        "  return tfjs.layers.conv2d({ filters, kernelSize: 3, padding: 'same' });",
        '}',
        '',
        'export default function stacked(): tfjs.LayersModel {',
        "  const model = tfjs.sequential({ name: 'stacked' });",
        "  model.add(tfjs.layers.inputLayer({ inputShape: [8, 8, 1], name: 'pixels' }));",
        '  for (let i = 0; i < 3; i++) {',
        '    model.add(convBlock(2 * (i + 1)));',
        '  }',
        "  model.add(tfjs.layers.flatten({ name: 'flat' }));",
        '  return model;',
        '}',
        '',
      ].join('\n'),
    );
    assert.ok(await visualize(file, 'default', 'flat'), (await api()).getLastError());
    const lenses = await waitFor(
      'the helper lenses',
      () => lensesOf(file),
      (l) => l.some(([, t]) => t.includes('3 instances')),
    );
    // Line 4 (the helper) made three layers: 8x8 'same' 3x3 convs with 2, 4, 6 filters:
    // (9*1 + 1)*2 = 20, (9*2 + 1)*4 = 76, (9*4 + 1)*6 = 222 params; RF 3, 5, 7.
    const helper = lenses.filter(([n]) => n === 4).map(([, t]) => t);
    assert.equal(helper[0], 'Visualize layer (3 instances)');
    assert.deepEqual(
      helper.slice(1).map((t) => t.replace(/^conv2d_Conv2D\d+ /, '')),
      [
        `${DOT} 8x8x2 ${DOT} 20 params ${DOT} RF 3x3`,
        `${DOT} 8x8x4 ${DOT} 76 params ${DOT} RF 5x5`,
        `${DOT} 8x8x6 ${DOT} 222 params ${DOT} RF 7x7`,
      ],
    );
    // The loop's call site (line 11) lists the same three.
    assert.ok(
      lenses.some(([n, t]) => n === 11 && t === 'Visualize layers made here (3)'),
      JSON.stringify(lenses),
    );
  });
});
