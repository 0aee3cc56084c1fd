// "CNN Inspector: Build gallery from folder", as the explorer's context menu calls it on a folder,
// and "Open gallery file..." on a file written by `cnn-inspector gallery`.
import * as assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { copyFileSync, mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as vscode from 'vscode';
import type { CnnInspectorApi } from '../../src/extension/extension';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('gallery from the explorer', function () {
  this.timeout(240_000);

  it('builds the LeNet pool2 gallery of the Fashion-MNIST folder in the model panel', async () => {
    const api = (await vscode.extensions
      .getExtension<CnnInspectorApi>('cnn-inspector.cnn-inspector')!
      .activate()) as CnnInspectorApi;
    const root = vscode.workspace.workspaceFolders![0].uri.fsPath;
    const folder = join(root, 'images', 'fashion-mnist');
    const pictures = readdirSync(folder).filter((f) => f.endsWith('.png')).length;
    const modelFile = join(root, 'lenet.ts');
    const errorBefore = api.getLastError(); // other suites may have left one
    const result = await vscode.commands.executeCommand(
      'cnnInspector.buildGallery',
      vscode.Uri.file(folder),
      {
        modelFile,
        exportName: 'default',
      },
    );
    assert.equal(result, folder);
    const deadline = Date.now() + 200_000;
    let gallery = api.getPanels().find((p) => p.modelFile === modelFile)?.gallery;
    while (!gallery?.complete && Date.now() < deadline) {
      await sleep(500);
      gallery = api.getPanels().find((p) => p.modelFile === modelFile)?.gallery;
    }
    assert.ok(gallery?.complete, `the gallery did not finish: ${JSON.stringify(gallery)}`);
    // LeNet's deepest spatial pooling layer is pool2 (5x5x16): 16 units, one gallery each.
    assert.equal(gallery.layer, 'pool2');
    assert.equal(gallery.units, 16);
    assert.equal(gallery.imageCount, pictures);
    assert.equal(pictures, 300, 'the training script writes 300 test pictures');
    assert.equal(gallery.skipped, 0);
    assert.equal(api.getLastError(), errorBefore, 'no new error');
  });
});

describe('gallery file (cnn-inspector merge) opened from the palette', function () {
  this.timeout(300_000);

  it('shows the file in the model panel with paths resolved against the chosen folder', async () => {
    const extension = vscode.extensions.getExtension<CnnInspectorApi>(
      'cnn-inspector.cnn-inspector',
    )!;
    const api = (await extension.activate()) as CnnInspectorApi;
    const root = vscode.workspace.workspaceFolders![0].uri.fsPath;
    const modelFile = join(root, 'lenet.ts');
    const dir = mkdtempSync(join(tmpdir(), 'gallery-file-'));
    // Three pictures keep the CLI run short; the gallery file lives away from them.
    const folder = join(dir, 'pictures');
    mkdirSync(folder);
    const fashion = join(root, 'images', 'fashion-mnist');
    for (const name of readdirSync(fashion).sort().slice(0, 3))
      copyFileSync(join(fashion, name), join(folder, name));
    try {
      const galleryFile = join(dir, 'gallery.json');
      // Asynchronous: a synchronous child would block the extension host it runs in.
      await promisify(execFile)(
        process.execPath,
        [
          join(extension.extensionPath, 'dist', 'cli.js'),
          'gallery',
          modelFile,
          '--folder',
          folder,
          '--layer',
          'pool1',
          '--top-k',
          '3',
          '--workers',
          '1',
          '--out',
          galleryFile,
        ],
        { timeout: 240_000 },
      );
      const shown = await vscode.commands.executeCommand(
        'cnnInspector.openGalleryFile',
        vscode.Uri.file(galleryFile),
        { modelFile, exportName: 'default', folder },
      );
      assert.equal(shown, galleryFile);
      const gallery = api.getPanels().find((p) => p.modelFile === modelFile)?.gallery;
      assert.deepEqual(gallery, {
        folder,
        layer: 'pool1',
        imageCount: 3,
        skipped: 0,
        complete: true,
        units: 6,
      });

      const broken = join(dir, 'broken.json');
      writeFileSync(broken, '{"kind": "cnn-inspector-gallery-part"}');
      const refused = await vscode.commands.executeCommand(
        'cnnInspector.openGalleryFile',
        vscode.Uri.file(broken),
        { modelFile, exportName: 'default', folder },
      );
      assert.equal(refused, undefined);
      assert.match(api.getLastError() ?? '', /broken\.json: not a merged gallery file/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
