import * as assert from 'node:assert/strict';
import { recordFigure, screenshot, workbenchPage } from './fixture';
import {
  activeWebview,
  pickQuickItem,
  quickPickLabels,
  runCommand,
  throwOnExtensionError,
  waitForQuickPickItem,
  webviewIsShown,
} from './workbench';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

interface CanvasPixels {
  width: number;
  height: number;
  distinctColours: number;
  error?: string;
}

describe('CNN Inspector: Visualize layer, through the UI', () => {
  it('shows the six conv1 feature maps of LeNet, each drawn with more than one colour', async () => {
    const page = workbenchPage();

    await runCommand(page, 'CNN Inspector: Visualize layer');
    await screenshot('palette-ran');

    await waitForQuickPickItem(page, (l) => l === 'lenet');
    await screenshot('model-pick');
    await pickQuickItem(page, 'lenet');

    // Listing the layers means building the model in the worker: give it time.
    await waitForQuickPickItem(page, (l) => l === 'conv1', 120_000);
    await screenshot('layer-pick');
    await pickQuickItem(page, 'conv1');

    // The extension may ask for an image, unless a default image is configured.
    let commandFinished = Date.now(); // the last pick: from here on, the work is the extension's
    const deadline = Date.now() + 120_000;
    while (!(await webviewIsShown(page))) {
      if (Date.now() > deadline)
        throw new Error('no webview appeared within 120 s of picking the layer');
      await throwOnExtensionError(page, 'after the layer was picked');
      const png = (await quickPickLabels(page)).find((l) => l.toLowerCase().endsWith('.png'));
      if (png) {
        await screenshot('image-pick');
        await pickQuickItem(page, png);
        commandFinished = Date.now();
      }
      await sleep(500);
    }
    await screenshot('panel-opened');

    const webview = activeWebview(page);
    const tiles = webview.locator('#feature-grid .tile');
    await webview
      .locator('#feature-grid .tile[data-drawn="true"]')
      .first()
      .waitFor({ timeout: 120_000 });
    // A figure for the benchmark (scripts/bench-ui.sh), never asserted: timings on shared machines are noisy.
    await recordFigure('lastPickToFirstTileMs', Date.now() - commandFinished);
    // Every tile reports data-drawn once its canvas is painted.
    await webview
      .locator('#feature-grid .tile[data-drawn="true"]')
      .nth(5)
      .waitFor({ timeout: 120_000 });
    await sleep(500); // let any late tile arrive before counting
    assert.equal(await tiles.count(), 6, 'conv1 of LeNet has 6 filters, so 6 feature-map tiles');
    const drawn = await tiles.evaluateAll((els) => els.map((e) => e.getAttribute('data-drawn')));
    assert.deepEqual(drawn, ['true', 'true', 'true', 'true', 'true', 'true']);
    await screenshot('feature-maps');

    const pixels: CanvasPixels[] = await webview.locator('#feature-grid .tile').evaluateAll((els) =>
      els.map((tile) => {
        const canvas = tile.querySelector('canvas');
        if (!canvas) return { width: 0, height: 0, distinctColours: 0, error: 'no canvas in tile' };
        // Copy onto a 2D canvas so this works whatever context the tile drew with.
        const copy = document.createElement('canvas');
        copy.width = canvas.width;
        copy.height = canvas.height;
        const ctx = copy.getContext('2d');
        if (!ctx || canvas.width === 0 || canvas.height === 0) {
          return {
            width: canvas.width,
            height: canvas.height,
            distinctColours: 0,
            error: 'empty canvas',
          };
        }
        ctx.drawImage(canvas, 0, 0);
        const data = ctx.getImageData(0, 0, copy.width, copy.height).data;
        const colours = new Set<number>();
        for (let i = 0; i < data.length; i += 4) {
          colours.add(
            ((data[i] << 24) | (data[i + 1] << 16) | (data[i + 2] << 8) | data[i + 3]) >>> 0,
          );
        }
        return { width: canvas.width, height: canvas.height, distinctColours: colours.size };
      }),
    );
    pixels.forEach((p, i) => {
      assert.equal(p.error, undefined, `tile ${i}: ${p.error}`);
      // conv1 maps a 28x28 input to 24x24 (5x5 kernel, valid padding) or 28x28 (same): never 1 pixel.
      assert.ok(p.width >= 24 && p.height >= 24, `tile ${i}: canvas is ${p.width}x${p.height}`);
      assert.ok(p.distinctColours > 1, `tile ${i}: every pixel has the same colour`);
    });
  });
});
