// The Gallery tab of the VGG-style example: pool5 is chosen by default and its strongest units on
// a photograph come with image crops of their (large) receptive fields.
import * as assert from 'node:assert/strict';
import { screenshot, workbenchPage } from './fixture';
import { openPanelFromPalette, canvasColourCounts } from './workbench';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('CNN Inspector: Gallery of the VGG-16 example, through the UI', () => {
  it('ranks pool5 units on a photograph and shows a crop for each', async function () {
    this.timeout(300_000);
    const page = workbenchPage();
    const webview = await openPanelFromPalette(page, 'vgg16', 'block1_conv1', 'chelsea.png');
    await webview.locator('#input-image, #input-frame').first().waitFor({ timeout: 180_000 });
    await webview.locator('#tab-gallery').click();

    const tiles = webview.locator('#gallery-image .unit-tile');
    await tiles.first().waitFor({ timeout: 180_000 });
    await sleep(500);
    assert.equal(await webview.locator('#gallery-layer').inputValue(), 'pool5');
    // pool5 has 512 units; the panel shows the strongest 16.
    assert.equal(await tiles.count(), 16);
    const values = await tiles.evaluateAll((els) =>
      els.map((e) => Number(e.getAttribute('data-value'))),
    );
    assert.deepEqual(
      values,
      [...values].sort((a, b) => b - a),
      'strongest unit first',
    );
    const colours = await canvasColourCounts(
      webview.locator('#gallery-image .unit-tile canvas.crop'),
    );
    assert.equal(colours.length, 16);
    // A 212x212 field of a cat photograph, scaled into a tile, has far more than a few colours.
    assert.ok(
      colours.every((n) => n > 50),
      `crops: ${colours.join(', ')}`,
    );
    await screenshot('gallery-vgg16-pool5');
    await webview.locator('#tab-feature-maps').click();
  });
});
