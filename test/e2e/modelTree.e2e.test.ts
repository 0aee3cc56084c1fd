// The explorer's "CNN Inspector" view: the workspace's models and their layers, one click away.
import * as assert from 'node:assert/strict';
import type { Locator } from 'playwright-core';
import { screenshot, workbenchPage } from './fixture';
import { activeWebview, pickQuickItem, waitForQuickPickItem, webviewIsShown } from './workbench';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('CNN Inspector: the models view in the explorer, through the UI', () => {
  afterEach(async () => {
    // Other tests open files from the explorer: unfold its folder section again.
    const page = workbenchPage();
    const folders = page.locator('.pane-header', { hasText: /^examples$/i }).first();
    if ((await folders.getAttribute('aria-expanded')) === 'false') await folders.click();
  });

  it('lists lenet.ts and its layers without running it, and a layer click opens the panel there', async function () {
    this.timeout(240_000);
    const page = workbenchPage();
    const pane = page.locator('.pane', {
      has: page.locator('.pane-header', { hasText: /cnn inspector/i }),
    });
    const header = pane.locator('.pane-header').first();
    await header.waitFor({ timeout: 60_000 });
    if ((await header.getAttribute('aria-expanded')) !== 'true') await header.click();
    const row = (label: string): Locator =>
      pane.locator('.monaco-list-row', {
        has: page.locator('.label-name', { hasText: new RegExp(`^${label}$`) }),
      });
    // Room for the models view: fold the file explorer's folder section.
    const folders = page.locator('.pane-header', { hasText: /^examples$/i }).first();
    if ((await folders.getAttribute('aria-expanded')) === 'true') await folders.click();
    await row('lenet\\.ts').first().waitFor({ timeout: 60_000 });
    await screenshot('models-view-files');
    // Files are listed with their exports under them: the 'default export' after lenet.ts.
    const labels = await pane
      .locator('.monaco-list-row .label-name')
      .evaluateAll((els) => els.map((e) => e.textContent?.trim() ?? ''));
    const lenetRow = labels.indexOf('lenet.ts');
    const modelIndex = labels.indexOf('default export', lenetRow);
    assert.ok(lenetRow >= 0 && modelIndex > lenetRow, `rows: ${labels.join(', ')}`);
    const model = pane.locator('.monaco-list-row').nth(modelIndex);
    await model.locator('.monaco-tl-twistie').click();
    const layer = row('pool1').first();
    await layer.waitFor({ timeout: 60_000 });
    await screenshot('models-view');
    await layer.click();

    // No panel is open, so the extension asks for an image.
    await waitForQuickPickItem(page, (l) => l.endsWith('.png'), 60_000);
    await page.keyboard.type('000-ankle');
    await waitForQuickPickItem(page, (l) => l === '000-ankle-boot.png', 30_000);
    await pickQuickItem(page, '000-ankle-boot.png');
    const deadline = Date.now() + 120_000;
    while (!(await webviewIsShown(page))) {
      if (Date.now() > deadline) throw new Error('the panel did not open');
      await sleep(250);
    }
    const webview = activeWebview(page);
    await webview.locator('.layer-title[data-layer="pool1"]').waitFor({ timeout: 120_000 });
    // pool1 of LeNet: 14x14x6, six tiles.
    await webview
      .locator('#feature-grid .tile[data-channel="0"][data-drawn="true"]')
      .waitFor({ timeout: 60_000 });
    assert.equal(await webview.locator('#feature-grid .tile').count(), 6);
    await screenshot('models-view-opened-pool1');
  });
});
