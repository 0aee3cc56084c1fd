// Issue 9's smaller things, through the UI: one name for the panel's heading and tab, a click on
// the selected layer takes the editor back to its line, and the explorer's context menu names
// the extension.
import * as assert from 'node:assert/strict';
import { screenshot, workbenchPage } from './fixture';
import { openPanelFromPalette, runCommand } from './workbench';

describe('CNN Inspector: panel details, through the UI', () => {
  it('names heading and tab alike, reveals the selected layer again, and prefixes the context menu', async function () {
    this.timeout(420_000);
    const page = workbenchPage();
    const rows = page.locator('.explorer-folders-view .monaco-list-row');
    await rows.filter({ hasText: /^lenet\.ts$/ }).click({ timeout: 60_000 });
    await page.locator('.tab.active', { hasText: 'lenet.ts' }).waitFor({ timeout: 30_000 });

    const webview = await openPanelFromPalette(page, 'lenet', 'conv2', '000-ankle-boot.png');
    await webview.locator('#layer-list tr.selected[data-layer="conv2"]').waitFor({
      timeout: 120_000,
    });
    // One name: the model's own (tf.sequential({ name: 'lenet5' })), the default export.
    assert.equal(await webview.locator('#panel-title').textContent(), 'lenet5');
    const panelTab = page.locator('.editor-group-container .tab', { hasText: /^CNN: / });
    await page
      .locator('.editor-group-container .tab', { hasText: /^CNN: lenet5$/ })
      .waitFor({ timeout: 30_000 });

    // The editor leaves conv2's line; a click on conv2, already selected, brings it back (38).
    await runCommand(page, 'View: Focus First Editor Group');
    await page.keyboard.press('Control+G');
    await page.keyboard.type('3');
    await page.keyboard.press('Enter');
    const activeLine = page
      .locator('.editor-group-container')
      .first()
      .locator('.active-line-number');
    await activeLine.filter({ hasText: /^3$/ }).first().waitFor({ timeout: 10_000 });
    await webview.locator('#layer-list tr[data-layer="conv2"]').click();
    await activeLine.filter({ hasText: /^38$/ }).first().waitFor({ timeout: 30_000 });
    await screenshot('panel-details-reveal-again');

    // Another export of the file: the export follows the model's name, in the heading and tab.
    const untrained = await openPanelFromPalette(
      page,
      'lenetUntrained',
      'conv1',
      '000-ankle-boot.png',
    );
    await untrained.locator('#panel-title', { hasText: 'lenet5 \u203a lenetUntrained' }).waitFor({
      timeout: 120_000,
    });
    await page
      .locator('.editor-group-container .tab', { hasText: /^CNN: lenet5 \u203a lenetUntrained$/ })
      .waitFor({ timeout: 30_000 });
    assert.equal(await panelTab.count(), 2);

    // The explorer's context menu on a PNG names the extension.
    const images = rows.filter({ hasText: /^images$/ });
    await images.click();
    const png = rows.filter({ hasText: /^camera\.png$/ });
    await png.waitFor({ timeout: 30_000 });
    await png.click({ button: 'right' });
    const items = page.locator('.context-view .action-label');
    await items.first().waitFor({ timeout: 10_000 });
    const labels = (await items.allTextContents()).map((t) => t.trim());
    await screenshot('panel-details-context-menu');
    await page.keyboard.press('Escape');
    await images.click(); // folded again, as the other tests expect the explorer
    assert.ok(labels.includes('CNN Inspector: Inspect image'), labels.join(' | '));
    assert.ok(!labels.includes('Inspect image'), labels.join(' | '));
  });
});
