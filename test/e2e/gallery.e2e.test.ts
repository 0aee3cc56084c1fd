// The Gallery tab of LeNet, through the UI: the units its image excites most, each tile with an
// image crop, then the dataset gallery of the Fashion-MNIST folder chosen with the folder picker.
import * as assert from 'node:assert/strict';
import { join } from 'node:path';
import { screenshot, workbenchPage } from './fixture';
import { activeWebview, canvasColourCounts, openPanelFromPalette } from './workbench';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const fashion = join(__dirname, '..', '..', 'examples', 'images', 'fashion-mnist');

describe('CNN Inspector: Gallery tab, through the UI', () => {
  afterEach(async () => {
    // Later tests expect the feature maps: leave the panel on its first tab.
    await activeWebview(workbenchPage())
      .locator('#tab-feature-maps')
      .click({ timeout: 5000 })
      .catch(() => undefined);
  });

  it('shows the top units of the image as tiles with crops, then a folder gallery', async function () {
    this.timeout(300_000);
    const page = workbenchPage();
    const webview = await openPanelFromPalette(page, 'lenet', 'pool2');
    await webview.locator('#input-image, #input-frame').first().waitFor({ timeout: 120_000 });
    await page.keyboard.press('Escape'); // an enlarged view or dialog left by another test
    await webview.locator('#tab-gallery').click();

    const unitTiles = webview.locator('#gallery-image .unit-tile');
    await unitTiles.first().waitFor({ timeout: 120_000 });
    await sleep(300);
    await screenshot('gallery-image-units');
    // LeNet's pool2 has 16 channels: all of them are ranked and shown.
    assert.equal(await unitTiles.count(), 16);
    assert.equal(await webview.locator('#gallery-layer').inputValue(), 'pool2');
    const values = (await unitTiles.evaluateAll((els) =>
      els.map((e) => Number(e.getAttribute('data-value'))),
    )) as number[];
    assert.deepEqual(
      values,
      [...values].sort((a, b) => b - a),
      'strongest unit first',
    );
    const crops = await canvasColourCounts(
      webview.locator('#gallery-image .unit-tile canvas.crop'),
    );
    assert.equal(crops.length, 16);
    assert.ok(
      crops.every((n) => n > 1),
      `every crop shows an image, colours: ${crops.join(', ')}`,
    );

    // The folder picker is VS Code's own (a quick input with a path and an OK button in code-server).
    await webview.locator('#gallery-pick-folder').click();
    const input = page.locator('.quick-input-widget .quick-input-box input');
    await input.waitFor({ state: 'visible', timeout: 30_000 });
    await sleep(1500); // the dialog fills in its starting folder asynchronously
    await input.fill(`${fashion}/`); // a trailing slash opens the folder in the dialog
    await sleep(1500);
    await screenshot('gallery-folder-dialog');
    await page.locator('.quick-input-widget .monaco-button', { hasText: 'OK' }).click();
    await sleep(1000);
    if (await input.isVisible()) await page.keyboard.press('Enter');

    await sleep(3000);
    await screenshot('gallery-folder-started');
    const patches = webview.locator('#gallery-folder .patch-tile canvas.crop[data-drawn="true"]');
    await patches.nth(8).waitFor({ timeout: 120_000 });
    await webview
      .locator('.gallery-folder-header .gallery-title', { hasText: 'over 300 images' })
      .waitFor({ timeout: 120_000 });
    await sleep(1000);
    await screenshot('gallery-folder');
    assert.equal(await webview.locator('#gallery-folder .unit-gallery').count(), 16);
    assert.equal(
      await webview.locator('#gallery-folder .unit-gallery').first().locator('.patch-tile').count(),
      9,
    );
    const patchColours = await canvasColourCounts(
      webview.locator('#gallery-folder .unit-gallery').first().locator('canvas.crop'),
    );
    assert.ok(
      patchColours.every((n) => n > 1),
      `patch crops show images: ${patchColours.join(', ')}`,
    );
    const firstFile = await webview
      .locator('#gallery-folder .patch-tile')
      .first()
      .getAttribute('data-file');
    assert.match(firstFile ?? '', /\.png$/);
  });
});
