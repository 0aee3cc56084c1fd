// The panel at the widths it really gets: 400 px (beside an editor on a small window), 600 px
// (beside an editor on a 1600 px window) and 1200 px (alone). Screenshots of each, and the checks
// that nothing the user needs falls off the side.
import * as assert from 'node:assert/strict';
import { join } from 'node:path';
import { artifactsDir, workbenchPage } from './fixture';
import { openPanelFromPalette } from './workbench';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

interface Overflow {
  panelWidth: number;
  /** Tabs whose right edge is past the panel's. */
  tabsCut: string[];
  /** Layer-list cells whose text is wider than the cell (clipped or pushed out). */
  cellsCut: string[];
  /** The layer list's right edge past its sidebar's (or the panel's) right edge, in px. */
  layerListOverhang: number;
  /** Whether the main area scrolls sideways (tables must scroll inside themselves instead). */
  mainScrollsSideways: boolean;
}

describe('CNN Inspector: the panel at 400, 600 and 1200 px, through the UI', () => {
  it('keeps every tab, the whole layer list and the Why table inside the panel', async () => {
    const page = workbenchPage();
    const webview = await openPanelFromPalette(page, 'lenet', 'conv2', '000-ankle-boot.png');
    await webview
      .locator('#feature-grid .tile[data-drawn="true"]')
      .first()
      .waitFor({ timeout: 120_000 });
    const frame = page.locator('iframe.webview.ready').first();
    const original = page.viewportSize()!;
    try {
      for (const width of [400, 600, 1200]) {
        // Size the window so that the panel is `width` wide (the workbench keeps its sidebar).
        for (let attempt = 0; attempt < 3; attempt++) {
          const box = (await frame.boundingBox())!;
          const viewport = page.viewportSize()!;
          if (Math.abs(box.width - width) <= 2) break;
          await page.setViewportSize({
            width: Math.round(viewport.width + width - box.width),
            height: 900,
          });
          await sleep(800);
        }
        for (const tab of ['feature-maps', 'why']) {
          await webview.locator(`#tab-${tab}`).click();
          if (tab === 'why')
            await webview.locator('.why-table').first().waitFor({ timeout: 60_000 });
          await sleep(500);
          const overflow: Overflow = await webview.locator('body').evaluate(() => {
            const panelWidth = document.documentElement.clientWidth;
            // No named functions in here: the test's compiler would wrap them in a helper the
            // page does not have.
            const tabsCut = [...document.querySelectorAll('.main-tabs .tab')]
              .filter((t) => t.getBoundingClientRect().right > panelWidth + 0.5)
              .map((t) => t.textContent ?? '');
            const list = document.querySelector('#layer-list');
            const sidebar = document.querySelector('.sidebar');
            const cellsCut = [...document.querySelectorAll('#layer-list td, #layer-list th')]
              .filter((c) => (c as HTMLElement).offsetParent !== null)
              .filter((c) => c.scrollWidth > c.clientWidth + 1)
              .map((c) => c.textContent ?? '');
            const limit = Math.min(
              panelWidth,
              sidebar ? sidebar.getBoundingClientRect().right : panelWidth,
            );
            const main = document.querySelector('#main') as HTMLElement;
            return {
              panelWidth,
              tabsCut,
              cellsCut,
              layerListOverhang: list ? Math.max(0, list.getBoundingClientRect().right - limit) : 0,
              mainScrollsSideways: main.scrollWidth > main.clientWidth + 1,
            };
          });
          const file = join(artifactsDir(), 'screenshots', `e2e-panel-${width}px-${tab}.png`);
          await frame.screenshot({ path: file });
          assert.ok(Math.abs(overflow.panelWidth - width) <= 20, JSON.stringify(overflow));
          assert.deepEqual(overflow.tabsCut, [], `tabs cut at ${width} px`);
          assert.deepEqual(overflow.cellsCut, [], `layer list cells cut at ${width} px`);
          assert.ok(overflow.layerListOverhang <= 1, `layer list overhangs at ${width} px`);
          assert.equal(overflow.mainScrollsSideways, false, `main scrolls sideways at ${width}`);
        }
        await webview.locator('#tab-feature-maps').click();
      }
    } finally {
      await page.setViewportSize(original);
    }
  });
});
