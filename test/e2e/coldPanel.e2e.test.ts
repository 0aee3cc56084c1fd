// A cold VGG-16 (issue 9): its 138 million weights take tens of seconds to build and as long again
// to hand to ONNX Runtime. The panel opens at once from the lens and is never blank meanwhile: a
// progress line says what is happening, and the layers show as soon as the model is built.
import * as assert from 'node:assert/strict';
import { screenshot, workbenchPage } from './fixture';
import {
  activeWebview,
  pickQuickItem,
  runCommand,
  waitForQuickPickItem,
  webviewIsShown,
} from './workbench';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('CNN Inspector: a cold model panel, through the UI', () => {
  it('shows progress and the layers of VGG-16 while it is still getting ready', async function () {
    this.timeout(900_000);
    const page = workbenchPage();
    // A fresh worker holds no model: VGG-16 is built from scratch.
    await runCommand(page, 'CNN Inspector: Restart model worker');
    const rows = page.locator('.explorer-folders-view .monaco-list-row');
    await rows.filter({ hasText: /^vgg16\.ts$/ }).click({ timeout: 60_000 });
    const lens = page.locator('.codelens-decoration a', { hasText: /^Visualize model/ }).first();
    await lens.waitFor({ timeout: 60_000 });
    await lens.click();

    // The panel is there at once, saying what it is doing.
    const deadline = Date.now() + 30_000;
    while (!(await webviewIsShown(page))) {
      if (Date.now() > deadline) throw new Error('the panel did not open at once');
      await sleep(250);
    }
    const webview = activeWebview(page);
    const status = webview.locator('.status.busy');
    await status.waitFor({ timeout: 30_000 });
    assert.match((await status.textContent()) ?? '', /^Loading vgg16/);

    // The layers as soon as the model is built, greyed, while ONNX Runtime is still being prepared
    // (the real model's engine badge is not there yet).
    const pending = webview.locator('#layer-list.pending');
    await pending.locator('tr[data-layer="block5_conv3"]').waitFor({ timeout: 480_000 });
    const statusWhileBuilt = (await status.textContent()) ?? '';
    const rowsWhileBuilt = await pending.locator('tbody tr').count();
    const badges = await webview.locator('#backend').count();
    const facts = (await webview.locator('.model-facts').textContent()) ?? '';
    await screenshot('cold-vgg16-layers-while-loading');
    assert.match(statusWhileBuilt, /^Loading vgg16: (Built 22 layers|Preparing ONNX Runtime)/);
    // 13 convolutions, 5 poolings, flatten and 3 dense layers; 138,357,544 parameters (Keras).
    assert.equal(rowsWhileBuilt, 22);
    assert.equal(badges, 0);
    assert.match(facts, /22 layers \u00b7 138,357,544 parameters \u00b7 getting ready/);

    // Then the model is ready and asks for a picture; the panel shows its maps.
    await waitForQuickPickItem(page, (l) => l.endsWith('.png'), 300_000);
    await page.keyboard.type('chelsea');
    await waitForQuickPickItem(page, (l) => l === 'chelsea.png', 30_000);
    await pickQuickItem(page, 'chelsea.png');
    await webview
      .locator('#layer-list:not(.pending) tr.selected[data-layer="block1_conv1"]')
      .waitFor({ timeout: 120_000 });
    await webview
      .locator('#feature-grid .tile[data-drawn="true"]')
      .first()
      .waitFor({ timeout: 300_000 });
    assert.equal(await webview.locator('#backend').count(), 1);
    await screenshot('cold-vgg16-ready');
  });
});
