// Panels in the workbench: one column for every model's panel, and panels that come back after a
// window reload at the model, layer and tab they showed.
import * as assert from 'node:assert/strict';
import { screenshot, workbenchPage } from './fixture';
import { activeWebview, openPanelFromPalette, runCommand } from './workbench';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('CNN Inspector: panels in the workbench, through the UI', () => {
  it('opens every model in one panel column and restores the panel after a window reload', async () => {
    const page = workbenchPage();
    const groups = page.locator('.editor-group-container');
    const lenet = await openPanelFromPalette(page, 'lenet', 'conv2', '000-ankle-boot.png');
    await lenet
      .locator('#feature-grid .tile[data-drawn="true"]')
      .first()
      .waitFor({ timeout: 120_000 });
    const groupsWithOnePanel = await groups.count();

    // A second model: its panel joins the first one's group instead of opening a new column.
    const cifar = await openPanelFromPalette(page, 'cifar10net', 'conv1', '000-ankle-boot.png');
    await cifar
      .locator('#feature-grid .tile[data-drawn="true"]')
      .first()
      .waitFor({ timeout: 120_000 });
    // The active webview's frame can still be LeNet's for a moment: wait for CIFAR's own tab.
    await page
      .locator('.editor-group-container .tab', { hasText: 'CNN: cifar10net' })
      .waitFor({ timeout: 120_000 });
    assert.equal(await groups.count(), groupsWithOnePanel, 'no new editor column');
    const panelTabs = page.locator('.editor-group-container .tab', { hasText: /^CNN: / });
    assert.equal(await panelTabs.count(), 2);
    await screenshot('panels-one-column');

    // Back to LeNet, on its Structure tab; then reload the window.
    await page.locator('.editor-group-container .tab', { hasText: 'CNN: lenet' }).click();
    const webview = activeWebview(page);
    await webview.locator('#tab-structure').click();
    await webview.locator('#structure-totals').waitFor({ timeout: 30_000 });
    await sleep(500); // the webview saves its state as it changes
    await runCommand(page, 'Developer: Reload Window');
    await page.locator('.monaco-workbench').waitFor({ state: 'visible', timeout: 60_000 });
    await page
      .locator('.explorer-folders-view .monaco-list-row')
      .first()
      .waitFor({ timeout: 60_000 });

    // The panel is back, at LeNet's conv2 and the Structure tab, with the model run again.
    const restored = activeWebview(page);
    await restored.locator('#tab-structure[aria-selected="true"]').waitFor({ timeout: 180_000 });
    await restored.locator('#structure-totals').waitFor({ timeout: 120_000 });
    assert.equal(
      await restored.locator('#panel-title').textContent(),
      'lenet5',
      'the LeNet panel is the active one',
    );
    await restored.locator('#layer-list tr.selected[data-layer="conv2"]').waitFor();
    assert.equal(
      await page.locator('.editor-group-container .tab', { hasText: /^CNN: / }).count(),
      2,
      'both panels are back',
    );
    await screenshot('panel-restored-after-reload');
  });
});
