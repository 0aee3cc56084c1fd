// The panel at the widths it really gets: 400 px (beside an editor on a small window), 515 and
// 600 px (beside an editor on a 1400-1600 px window) and 1200 px (alone), with LeNet and with
// VGG-16's wide layer list (360-1200 px). Screenshots of each (and of the
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
  /** Params cells whose right edge is past the sidebar's (or the panel's) right edge. */
  paramsOutside: string[];
  /** The layer list's right edge past its sidebar's (or the panel's) right edge, in px. */
  layerListOverhang: number;
  /** Whether the sidebar scrolls sideways (a column reachable only by scrolling is cut). */
  sidebarScrollsSideways: boolean;
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

/** Sizes the window so that the panel (the webview's frame) is `width` px wide. */
async function sizePanel(page: Page, frame: Locator, width: number): Promise<void> {
  for (let attempt = 0; attempt < 3; attempt++) {
    const box = (await frame.boundingBox())!;
    const viewport = page.viewportSize()!;
    if (Math.abs(box.width - width) <= 2) return;
    // The workbench keeps its sidebar: only the editor area, and so the panel, changes.
    await page.setViewportSize({
      width: Math.round(viewport.width + width - box.width),
      height: 900,
    });
    await sleep(800);
  }
}

/** What falls off the side of the panel's current tab (see Overflow). */
function measureOverflow(webview: FrameLocator): Promise<Overflow> {
  return webview.locator('body').evaluate(() => {
    const panelWidth = document.documentElement.clientWidth;
    // No named functions in here: the test's compiler would wrap them in a helper the
    // page does not have.
    const tabsCut = [...document.querySelectorAll('.main-tabs .tab')]
      .filter((t) => t.getBoundingClientRect().right > panelWidth + 0.5)
      .map((t) => t.textContent ?? '');
    const list = document.querySelector('#layer-list');
    const sidebar = document.querySelector('.sidebar');
    const visible = [...document.querySelectorAll('#layer-list td, #layer-list th')].filter(
      (c) => (c as HTMLElement).offsetParent !== null,
    );
    const cellsCut = visible
      .filter((c) => c.scrollWidth > c.clientWidth + 1)
      .map((c) => c.textContent ?? '');
    const limit = Math.min(
      panelWidth,
      sidebar ? sidebar.getBoundingClientRect().right : panelWidth,
    );
    // The Params column (the last one): every cell's right edge inside the sidebar's visible area.
    const paramsOutside = [...document.querySelectorAll('#layer-list tr > :last-child')]
      .filter((c) => (c as HTMLElement).offsetParent !== null)
      .filter((c) => c.getBoundingClientRect().right > limit + 0.5)
      .map((c) => c.textContent ?? '');
    const main = document.querySelector('#main') as HTMLElement;
    return {
      panelWidth,
      tabsCut,
      cellsCut,
      paramsOutside,
      layerListOverhang: list ? Math.max(0, list.getBoundingClientRect().right - limit) : 0,
      sidebarScrollsSideways: sidebar ? sidebar.scrollWidth > sidebar.clientWidth + 1 : false,
      mainScrollsSideways: main.scrollWidth > main.clientWidth + 1,
    };
  });
}

function assertNothingCut(overflow: Overflow, width: number): void {
  const facts = JSON.stringify(overflow);
  assert.ok(Math.abs(overflow.panelWidth - width) <= 20, facts);
  assert.deepEqual(overflow.tabsCut, [], `tabs cut at ${width} px`);
  assert.deepEqual(overflow.cellsCut, [], `layer list cells cut at ${width} px: ${facts}`);
  assert.deepEqual(overflow.paramsOutside, [], `Params cells outside at ${width} px: ${facts}`);
  assert.ok(overflow.layerListOverhang <= 1, `layer list overhangs at ${width} px: ${facts}`);
  assert.equal(overflow.sidebarScrollsSideways, false, `sidebar scrolls sideways at ${width} px`);
  assert.equal(overflow.mainScrollsSideways, false, `main scrolls sideways at ${width}`);
}

describe('CNN Inspector: the panel at 400, 515, 600 and 1200 px, through the UI', () => {
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
      for (const width of [400, 515, 600, 1200]) {
        await sizePanel(page, frame, width);
        for (const tab of ['feature-maps', 'why']) {
          await webview.locator(`#tab-${tab}`).click();
          if (tab === 'why')
            await webview.locator('.why-table').first().waitFor({ timeout: 60_000 });
          await sleep(500);
          const overflow = await measureOverflow(webview);
          const file = join(artifactsDir(), 'screenshots', `e2e-panel-${width}px-${tab}.png`);
          await frame.screenshot({ path: file });
          assertNothingCut(overflow, width);
        }
        await webview.locator('#tab-feature-maps').click();
        await checkArithmeticDialog(page, webview, frame, width);
      }
    } finally {
      await page.setViewportSize(original);
    }
  });

  // VGG-16's long names (block5_conv3), shapes (224×224×64) and counts (102,764,544) are the
  // widest a layer list gets: at ~515 px beside an editor its Params column was pushed out.
  it("keeps every column of VGG-16's layer list readable from 360 to 1200 px", async function () {
    this.timeout(400_000);
    const page = workbenchPage();
    const webview = await openPanelFromPalette(page, 'vgg16', 'block1_conv1', 'chelsea.png');
    await webview.locator('#layer-list:not(.pending) tr[data-layer="fc1"]').waitFor({
      timeout: 180_000,
    });
    const frame = page.locator('iframe.webview.ready').first();
    const original = page.viewportSize()!;
    try {
      for (const width of [360, 515, 600, 720, 900, 1200]) {
        await sizePanel(page, frame, width);
        await sleep(500);
        const overflow = await measureOverflow(webview);
        await frame.screenshot({
          path: join(artifactsDir(), 'screenshots', `e2e-panel-vgg16-${width}px.png`),
        });
        assertNothingCut(overflow, width);
        // Every count is readable: the exact number, or a compact one with the exact in its title;
        // and the output shape is shown (its column, or under the name).
        const fc1 = await webview.locator('#layer-list tr[data-layer="fc1"]').evaluate((row) => ({
          row: (row as HTMLElement).innerText,
          text: (row.lastElementChild as HTMLElement).innerText.trim(),
          title: row.lastElementChild?.getAttribute('title') ?? '',
        }));
        assert.match(fc1.row, /fc1\s[^]*\b4096\b/, `fc1's output at ${width} px`);
        // fc1: 25,088 inputs x 4,096 units + 4,096 biases.
        const exact = (25088 * 4096 + 4096).toLocaleString('en-US');
        assert.ok(
          fc1.text === exact || (fc1.text === '102.8M' && fc1.title.includes(exact)),
          `fc1's parameters at ${width} px: ${JSON.stringify(fc1)}`,
        );
      }
    } finally {
      await page.setViewportSize(original);
    }
  });
});
