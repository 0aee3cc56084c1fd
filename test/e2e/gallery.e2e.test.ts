// The Gallery tab of LeNet, through the UI: the units its image excites most, each tile with an
// image crop, then the dataset gallery of the Fashion-MNIST folder chosen with the folder picker.
import * as assert from 'node:assert/strict';
import { join } from 'node:path';
import { screenshot, workbenchPage } from './fixture';
import type { FrameLocator, Locator } from 'playwright-core';
import { activeWebview, canvasColourCounts, openPanelFromPalette } from './workbench';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/**
 * Clicks a gallery tile and checks that the enlarged map opens reading the tile's own unit (its
 * channel, position and value, from the tile's tooltip), not the unit read before (issue 9).
 */
async function openTileAndCheckReadout(webview: FrameLocator, tile: Locator): Promise<void> {
  const tip = (await tile.getAttribute('title')) ?? '';
  const named = /unit (\d+)(?::| =) (?:max )?([-0-9.e+]+) at \(y (\d+), x (\d+)\)/.exec(tip);
  assert.ok(named, `tile tooltip: ${tip}`);
  const [, unit, value, y, x] = named;
  await tile.click();
  const readout = webview.locator('#enlarged-view .readout');
  await readout
    .filter({ hasText: new RegExp(`^channel ${unit} \u00b7 y ${y}, x ${x} \u00b7 `) })
    .waitFor({ timeout: 120_000 })
    .catch(async () => {
      assert.fail(`readout "${await readout.textContent()}" is not unit ${unit} at y ${y}, x ${x}`);
    });
  const shown = Number(((await readout.textContent()) ?? '').split(' \u00b7 ')[2]);
  assert.ok(
    Math.abs(shown - Number(value)) <= 1e-3 * Math.abs(Number(value)) + 1e-6,
    `readout value ${shown}, tile ${value}`,
  );
}
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

    // A tile opens its unit's map reading that unit, also after another unit was read: hover a
    // corner of the first tile's map (another unit), close, then open the second tile.
    await openTileAndCheckReadout(webview, unitTiles.nth(0));
    const enlargedCanvas = webview.locator('#enlarged-view canvas').first();
    await enlargedCanvas.hover({ position: { x: 2, y: 2 } });
    await sleep(200);
    await page.keyboard.press('Escape');
    await webview.locator('#tab-gallery').click();
    await openTileAndCheckReadout(webview, unitTiles.nth(1));
    await screenshot('gallery-unit-opened');
    await page.keyboard.press('Escape');
    await webview.locator('#tab-gallery').click();

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

    // A patch opens its image at its unit, reading that unit (the map read before is another).
    await openTileAndCheckReadout(
      webview,
      webview.locator('#gallery-folder .unit-gallery').nth(3).locator('.patch-tile').nth(1),
    );
    await screenshot('gallery-patch-opened');
    await page.keyboard.press('Escape');
  });
});
