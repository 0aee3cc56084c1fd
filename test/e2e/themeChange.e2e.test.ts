// The panel follows a colour theme change at once, without a reload (issue 9): its colours come
// from VS Code's CSS variables, which the workbench updates in the webview when the theme changes.
import * as assert from 'node:assert/strict';
import type { FrameLocator, Page } from 'playwright-core';
import { screenshot, workbenchPage } from './fixture';
import { openPanelFromPalette, pickQuickItem, runCommand, waitForQuickPickItem } from './workbench';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** The panel's own colours: its background, text, and the selected layer row's background. */
function panelColours(webview: FrameLocator) {
  return webview.locator('body').evaluate(() => {
    const selected = document.querySelector('#layer-list tr.selected');
    return {
      background: getComputedStyle(document.body).backgroundColor,
      text: getComputedStyle(document.body).color,
      selectedRow: selected ? getComputedStyle(selected).backgroundColor : '',
    };
  });
}

/** Preferences: Color Theme, then the theme named `theme`. */
async function chooseTheme(page: Page, theme: string): Promise<void> {
  await runCommand(page, 'Preferences: Color Theme');
  await waitForQuickPickItem(page, (l) => l.length > 0, 30_000);
  await page.keyboard.type(theme);
  await waitForQuickPickItem(page, (l) => l === theme, 30_000);
  await pickQuickItem(page, theme);
}

/** Brightness 0..255 of a CSS rgb() colour. */
function brightness(colour: string): number {
  const [r, g, b] = (colour.match(/\d+(\.\d+)?/g) ?? []).map(Number);
  return 0.299 * r + 0.587 * g + 0.114 * b;
}

describe('CNN Inspector: a live colour theme change, through the UI', () => {
  it('recolours the open panel without reloading it', async function () {
    this.timeout(300_000);
    const page = workbenchPage();
    const webview = await openPanelFromPalette(page, 'lenet', 'conv1', '000-ankle-boot.png');
    await webview.locator('#layer-list tr.selected[data-layer="conv1"]').waitFor({
      timeout: 120_000,
    });
    // A marker in the page: a reload of the webview would lose it.
    await webview.locator('body').evaluate((b) => (b.dataset.sameDocument = 'yes'));
    const before = await panelColours(webview);
    // The test workbench starts in Light Modern.
    await chooseTheme(page, 'Dark Modern');
    try {
      let after = before;
      const deadline = Date.now() + 30_000;
      while (after.background === before.background && Date.now() < deadline) {
        await sleep(250);
        after = await panelColours(webview);
      }
      await screenshot('theme-dark-panel');
      // Light Modern's panel background is white, Dark Modern's near black; the text flips too.
      assert.ok(brightness(before.background) > 200, `before: ${JSON.stringify(before)}`);
      assert.ok(brightness(after.background) < 60, `after: ${JSON.stringify(after)}`);
      assert.ok(brightness(after.text) > brightness(after.background) + 100, JSON.stringify(after));
      assert.notEqual(after.selectedRow, before.selectedRow);
      assert.equal(
        await webview.locator('body').getAttribute('data-same-document'),
        'yes',
        'the webview was reloaded',
      );
    } finally {
      await chooseTheme(page, 'Light Modern');
    }
  });
});
