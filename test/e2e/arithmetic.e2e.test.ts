// Clicking a unit of an enlarged feature map opens its arithmetic, which ends at the value the
// hover readout shows for that unit (both read from the DOM).
import * as assert from 'node:assert/strict';
import { screenshot, workbenchPage } from './fixture';
import { openPanelFromPalette } from './workbench';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('CNN Inspector: the arithmetic of one output value, through the UI', () => {
  it('clicking a feature-map pixel shows the arithmetic ending at the hovered value', async () => {
    const page = workbenchPage();
    const webview = await openPanelFromPalette(page, 'lenet', 'conv2');
    await webview
      .locator('#feature-grid .tile[data-drawn="true"]')
      .first()
      .waitFor({ timeout: 120_000 });
    await webview.locator('#feature-grid .tile').nth(1).click();
    const canvas = webview.locator('#enlarged-view canvas').first();
    await canvas.waitFor({ state: 'visible', timeout: 30_000 });
    const box = await canvas.boundingBox();
    assert.ok(box, 'the enlarged map has a size');
    // A unit off the centre, so its window is not symmetric about the map.
    const at = { x: box.x + box.width * 0.3, y: box.y + box.height * 0.6 };
    await page.mouse.move(at.x, at.y);
    const readout = webview.locator('#enlarged-view .readout');
    await sleep(200);
    const hovered = (await readout.textContent()) ?? '';
    const match = /channel (\d+) \u00b7 y (\d+), x (\d+) \u00b7 ([-0-9.e+]+)/.exec(hovered);
    assert.ok(match, `hover readout: "${hovered}"`);
    await screenshot('arithmetic-hovered');
    await page.mouse.click(at.x, at.y);
    const value = webview.locator('#arithmetic-view #arithmetic-value');
    await value.waitFor({ state: 'visible', timeout: 60_000 });
    await sleep(300);
    await screenshot('arithmetic-view');
    const title = (await webview.locator('#arithmetic-view h2').textContent()) ?? '';
    assert.match(title, new RegExp(`channel ${match[1]} \u00b7 y ${match[2]}, x ${match[3]}$`));
    assert.equal(
      (await value.textContent())?.trim(),
      match[4],
      'the arithmetic ends at the hovered value',
    );
    const featureMap = await webview
      .locator('#arithmetic-view #arithmetic-feature-map')
      .textContent();
    assert.equal(featureMap?.trim(), match[4]);
    // conv2 of LeNet reads 6 input channels of a 5x5 window: 6 grids of 25 taps.
    assert.equal(await webview.locator('#arithmetic-view .arith-channel').count(), 6);
    assert.equal(
      await webview.locator('#arithmetic-view .arith-channel').first().locator('td').count(),
      25,
    );
  });
});
