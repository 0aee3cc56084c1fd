// Issue 9, must-fix 6: the panel keeps what the user set (Structure sort, normalisation, the Why
// unit, the tab) when it is hidden and shown again, and after a window reload.
import * as assert from 'node:assert/strict';
import type { FrameLocator, Page } from 'playwright-core';
import { screenshot, workbenchPage } from './fixture';
import { activeWebview, openPanelFromPalette, runCommand } from './workbench';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** What the user set below, read back from the panel: each tab opened in turn, Why last. */
async function panelChoices(webview: FrameLocator) {
  await webview.locator('#tab-structure').click();
  const firstRow = webview.locator('#structure-view tbody tr').first();
  await firstRow.waitFor({ timeout: 120_000 });
  const sorted = await webview.locator('#structure-view th[aria-sort]').textContent();
  const sortDirection = await webview
    .locator('#structure-view th[aria-sort]')
    .getAttribute('aria-sort');
  const first = await firstRow.getAttribute('data-layer');
  await webview.locator('#tab-feature-maps').click();
  const normalization = await webview.locator('#normalization').inputValue();
  await webview.locator('#tab-why').click();
  const whyLayer = await webview.locator('#why-layer').inputValue();
  const whyChannel = await webview.locator('#why-channel').inputValue();
  return { sorted, sortDirection, first, normalization, whyLayer, whyChannel };
}

const CHOSEN = {
  sorted: 'Params',
  sortDirection: 'descending',
  first: 'fc1', // 48,120 parameters, the most of LeNet-5's layers
  normalization: 'channel',
  whyLayer: 'conv2',
  whyChannel: '3',
};

async function waitForWorkbench(page: Page) {
  await page.locator('.monaco-workbench').waitFor({ state: 'visible', timeout: 60_000 });
  await page.locator('.explorer-folders-view .monaco-list-row').first().waitFor({
    timeout: 60_000,
  });
}

describe('CNN Inspector: the panel remembers its UI, through the UI', () => {
  it('keeps the sort, the normalisation, the Why unit and the tab across hide/show and reload', async function () {
    this.timeout(480_000); // a window reload brings the workbench and the model back
    const page = workbenchPage();
    const webview = await openPanelFromPalette(page, 'lenet', 'conv2', '000-ankle-boot.png');
    await webview
      .locator('#feature-grid .tile[data-drawn="true"]')
      .first()
      .waitFor({ timeout: 120_000 });

    await webview.locator('#normalization').selectOption('channel');
    await webview.locator('#tab-structure').click();
    await webview.locator('#structure-view th button.sort', { hasText: /^Params$/ }).click();
    await webview.locator('#tab-why').click();
    await webview.locator('#why-layer').selectOption('conv2');
    await webview.locator('#why-channel').fill('3');
    await webview.locator('#why-explain').click();
    await sleep(500); // the webview saves its state as it changes
    assert.deepEqual(await panelChoices(webview), CHOSEN);

    // Hidden behind another editor in its group (VS Code drops the hidden webview), then shown.
    const panelTab = page.locator('.editor-group-container .tab', { hasText: 'CNN: lenet' });
    await page.keyboard.press('Control+P');
    await page.keyboard.type('README.md');
    await sleep(800);
    await page.keyboard.press('Enter');
    await page.locator('.tab.active', { hasText: 'README.md' }).waitFor({ timeout: 30_000 });
    await panelTab.click();
    const shownAgain = activeWebview(page);
    await shownAgain.locator('#tab-why[aria-selected="true"]').waitFor({ timeout: 60_000 });
    assert.deepEqual(await panelChoices(shownAgain), CHOSEN);
    await screenshot('panel-state-after-hide-show');

    await runCommand(page, 'Developer: Reload Window');
    await waitForWorkbench(page);
    await page
      .locator('.editor-group-container .tab', { hasText: 'CNN: lenet' })
      .click({ timeout: 120_000 });
    const restored = activeWebview(page);
    await restored.locator('#tab-why[aria-selected="true"]').waitFor({ timeout: 180_000 });
    assert.deepEqual(await panelChoices(restored), CHOSEN);
    await screenshot('panel-state-after-reload');
  });
});
