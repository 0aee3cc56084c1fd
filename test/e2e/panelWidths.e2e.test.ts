// The panel at the widths it really gets: 400 px (beside an editor on a small window), 600 px
// (beside an editor on a 1600 px window) and 1200 px (alone). Screenshots of each (and of the
// arithmetic dialog), and the checks that nothing the user needs falls off the side.
import * as assert from 'node:assert/strict';
import { join } from 'node:path';
import type { FrameLocator, Locator, Page } from 'playwright-core';
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

/**
 * Opens the arithmetic of a conv2 unit (a 5x5 window of "x × w = p" cells): at every width all
 * five columns are inside the dialog, which does not scroll sideways (issue 9: it needed ~890 px).
 */
async function checkArithmeticDialog(
  page: Page,
  webview: FrameLocator,
  frame: Locator,
  width: number,
): Promise<void> {
  // A click from the page: at 400 px the grid sits below the fold of the panel's scroller.
  await webview
    .locator('#feature-grid .tile')
    .nth(1)
    .evaluate((tile) => (tile as HTMLElement).click());
  const canvas = webview.locator('#enlarged-view canvas').first();
  await canvas.waitFor({ state: 'visible', timeout: 30_000 });
  const box = (await canvas.boundingBox())!;
  await page.mouse.click(box.x + box.width * 0.5, box.y + box.height * 0.5);
  await webview.locator('#arithmetic-view #arithmetic-value').waitFor({ timeout: 60_000 });
  await sleep(300);
  const fit = await webview.locator('#arithmetic-view').evaluate((dialog) => {
    const right = dialog.getBoundingClientRect().right;
    const firstRow = [...dialog.querySelectorAll('.arith-grid')][0]?.querySelector('tr');
    const cells = firstRow ? [...firstRow.querySelectorAll('td')] : [];
    return {
      columns: cells.length,
      lastCellOverhang: cells.length
        ? cells[cells.length - 1].getBoundingClientRect().right - right
        : 0,
      scrollsSideways: dialog.scrollWidth > dialog.clientWidth + 1,
      viewport: document.documentElement.clientWidth,
      dialogRight: right,
    };
  });
  await frame.screenshot({
    path: join(artifactsDir(), 'screenshots', `e2e-arithmetic-${width}px.png`),
  });
  await page.keyboard.press('Escape'); // the arithmetic
  await page.keyboard.press('Escape'); // the enlarged map
  assert.equal(fit.columns, 5, JSON.stringify(fit));
  assert.ok(fit.lastCellOverhang <= 0.5, `5th column cut at ${width} px: ${JSON.stringify(fit)}`);
  assert.equal(fit.scrollsSideways, false, `arithmetic scrolls sideways at ${width} px`);
  assert.ok(fit.dialogRight <= fit.viewport + 0.5, JSON.stringify(fit));
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
        await checkArithmeticDialog(page, webview, frame, width);
      }
    } finally {
      await page.setViewportSize(original);
    }
  });
});
