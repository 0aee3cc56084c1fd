// Receptive fields, the Structure view and the links between editor and panel, through the UI.
import * as assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { screenshot, workbenchPage } from './fixture';
import {
  activeWebview,
  pickQuickItem,
  runCommand,
  waitForQuickPickItem,
  webviewIsShown,
} from './workbench';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const repoRoot = join(__dirname, '..', '..');
const lenetSource = join(repoRoot, 'examples', 'lenet.ts');
const image = '000-ankle-boot.png';

/** 1-based line of the first line of lenet.ts containing `text` (derived from the file itself). */
function lineOf(text: string): number {
  return (
    readFileSync(lenetSource, 'utf8')
      .split('\n')
      .findIndex((l) => l.includes(text)) + 1
  );
}

async function openLenetInEditor(page: Page): Promise<void> {
  await page.locator('.explorer-folders-view .monaco-list-row', { hasText: /^lenet\.ts$/ }).click();
  await page.locator('.tab.active', { hasText: 'lenet.ts' }).waitFor({ timeout: 30_000 });
}

async function visualizeFromPalette(page: Page, layer: string): Promise<void> {
  await runCommand(page, 'CNN Inspector: Visualize layer');
  await waitForQuickPickItem(page, (l) => l === 'lenet');
  await pickQuickItem(page, 'lenet');
  await waitForQuickPickItem(page, (l) => l === layer, 120_000);
  await pickQuickItem(page, layer);
  // Filter the image list so the row is rendered (the list is virtualised).
  await waitForQuickPickItem(page, (l) => l.endsWith('.png'), 60_000);
  await page.keyboard.type(image.slice(0, 9));
  await waitForQuickPickItem(page, (l) => l === image, 30_000);
  await pickQuickItem(page, image);
  const deadline = Date.now() + 120_000;
  while (!(await webviewIsShown(page))) {
    if (Date.now() > deadline) throw new Error('the panel did not open');
    await sleep(250);
  }
}

describe('CNN Inspector: structure and source links, through the UI', () => {
  it('links lenses, panel and editor, and draws receptive fields and totals that match the report', async () => {
    const page = workbenchPage();
    await openLenetInEditor(page);
    await visualizeFromPalette(page, 'conv1');
    const webview = activeWebview(page);
    await webview
      .locator('#feature-grid .tile[data-drawn="true"]')
      .first()
      .waitFor({ timeout: 120_000 });

    // After the run, the lens above conv2 carries its facts; clicking it moves the panel to conv2.
    const conv2Lens = page.locator('.codelens-decoration a', { hasText: '10x10x16' }).first();
    await conv2Lens.waitFor({ timeout: 60_000 });
    assert.match(
      (await conv2Lens.textContent()) ?? '',
      /Visualize layer · 10x10x16 · 2,416 params · RF 14x14/,
    );
    await screenshot('lens-with-facts');
    await conv2Lens.click();
    await webview.locator('.layer-title[data-layer="conv2"]').waitFor({ timeout: 60_000 });
    // Tiles are painted when they scroll into view: the first one is.
    await webview
      .locator('#feature-grid .tile[data-channel="0"][data-drawn="true"]')
      .waitFor({ timeout: 60_000 });

    // Hover unit (y 3, x 5) of channel 0: conv2's field is 14 wide with jump 2 and padding 2
    // (conv1 'same' 5x5 pads 2; pool 2x2 stride 2; conv2 5x5 valid), so rows -2+3*2 = 4 .. 18
    // and columns -2+5*2 = 8 .. 22, half-open, all inside the 28x28 input.
    const canvas = webview.locator('#feature-grid .tile[data-channel="0"] canvas');
    const box = (await canvas.boundingBox())!;
    await canvas.hover({ position: { x: (5.5 / 10) * box.width, y: (3.5 / 10) * box.height } });
    const rf = webview.locator('#rf-box');
    await rf.waitFor({ timeout: 10_000 });
    const data = await rf.evaluate((e) => ({ ...(e as HTMLElement | SVGElement).dataset }));
    assert.deepEqual(
      [data.layer, data.unitY, data.unitX, data.y0, data.x0, data.y1, data.x1],
      ['conv2', '3', '5', '4', '8', '18', '22'],
    );
    assert.deepEqual([data.clipY0, data.clipX0, data.clipY1, data.clipX1], ['4', '8', '18', '22']);
    await screenshot('receptive-field-box');

    // Clicking a layer in the panel reveals the line that creates it in the editor.
    await webview.locator('#layer-list tr[data-layer="fc1"]').click();
    const expectedLine = lineOf("name: 'fc1'");
    // The focus stays in the panel, so read the editor's active line number (not the status bar).
    const activeLine = page.locator('.monaco-editor .line-numbers.active-line-number');
    const deadline = Date.now() + 30_000;
    let seen = '';
    while (Date.now() < deadline) {
      seen = (await activeLine.allTextContents()).join(',');
      if (seen.split(',').includes(String(expectedLine))) break;
      await sleep(250);
    }
    assert.ok(
      seen.split(',').includes(String(expectedLine)),
      `active line ${seen}, expected ${expectedLine}`,
    );
    await screenshot('layer-revealed-in-editor');

    // The Structure view's totals: LeNet-5 by hand (61,706 parameters, 416,520 MACs) and as the
    // command-line report computes them.
    await webview.locator('#tab-structure').click();
    const totals = webview.locator('#structure-totals');
    await totals.waitFor({ timeout: 10_000 });
    const shown = await totals.evaluate((e) => ({ ...(e as HTMLElement).dataset }));
    assert.equal(shown.params, '61706');
    assert.equal(shown.macs, '416520');
    const out = join(mkdtempSync(join(tmpdir(), 'cnn-e2e-')), 'lenet.json');
    const cli = spawnSync(
      process.execPath,
      [
        join(repoRoot, 'dist', 'cli.js'),
        'report',
        lenetSource,
        '--image',
        join(repoRoot, 'examples', 'images', 'fashion-mnist', image),
        '--json',
        out,
      ],
      { encoding: 'utf8' },
    );
    assert.equal(cli.status, 0, cli.stderr);
    const report = JSON.parse(readFileSync(out, 'utf8'));
    assert.equal(Number(shown.params), report.totals.params);
    assert.equal(Number(shown.macs), report.totals.macs);
    assert.equal(Number(shown.activationBytes), report.totals.activationBytes);
    await screenshot('structure-view');

    // The "Dense eq." header says what it means; conv1's cell gives its two numbers: a dense layer
    // from 28x28x1 = 784 inputs to 28x28x6 = 4,704 outputs has 784 x 4,704 = 3,687,936 weights,
    // the 5x5x1x6 kernel 150: 24,586 times fewer.
    const header = webview.locator('#structure-table th[data-column="denseRatio"]');
    assert.equal((await header.textContent())?.trim(), 'Dense eq.');
    const headerTip = (await header.locator('button').getAttribute('title')) ?? '';
    assert.match(headerTip, /^Dense equivalent: how many times more weights a fully connected/);
    assert.match(headerTip, /bias excluded/);
    assert.equal(await header.getAttribute('title'), headerTip);
    const conv1Cell = webview.locator(
      '#structure-table tr[data-layer="conv1"] td[data-column="denseRatio"]',
    );
    assert.equal((await conv1Cell.textContent())?.trim(), '24,586\u00d7');
    assert.match(
      (await conv1Cell.getAttribute('title')) ?? '',
      /needs 3,687,936 weights; this convolution has 150 /,
    );
  });
});
