// An ONNX file exported by PyTorch (torchvision's ResNet-18), opened from the explorer's
// CNN Inspector view: the panel draws a layer named as in PyTorch, and the Structure view lists
// the residual additions.
import * as assert from 'node:assert/strict';
import { copyFileSync, existsSync, mkdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import type { Locator } from 'playwright-core';
import { screenshot, workbenchPage } from './fixture';
import {
  activeWebview,
  openPanelFromPalette,
  pickQuickItem,
  runCommand,
  waitForQuickPickItem,
  webviewIsShown,
} from './workbench';
import { loadFixture } from '../unit/helpers/onnxFixtures';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const repoRoot = join(__dirname, '..', '..');
// In the e2e workspace (examples/), gitignored: the file is generated (46 MB).
const onnxDir = join(repoRoot, 'examples', 'onnx');

describe('CNN Inspector: an ONNX model from PyTorch, through the UI', () => {
  before(function () {
    this.timeout(15 * 60_000);
    mkdirSync(onnxDir, { recursive: true });
    copyFileSync(loadFixture('resnet18_224').modelFile, join(onnxDir, 'resnet18.onnx'));
    copyFileSync(loadFixture('groups').modelFile, join(onnxDir, 'groups.onnx'));
  });
  after(() => rmSync(onnxDir, { recursive: true, force: true }));
  afterEach(async () => {
    const page = workbenchPage();
    const folders = page.locator('.pane-header', { hasText: /^examples$/i }).first();
    if ((await folders.getAttribute('aria-expanded')) === 'false') await folders.click();
  });

  it('the explorer opens resnet18.onnx: layer1.0.conv1 maps, residual additions in Structure', async function () {
    this.timeout(480_000);
    const page = workbenchPage();
    await runCommand(page, 'CNN Inspector: Refresh models');
    const pane = page.locator('.pane', {
      has: page.locator('.pane-header', { hasText: /cnn inspector/i }),
    });
    const header = pane.locator('.pane-header').first();
    await header.waitFor({ timeout: 60_000 });
    if ((await header.getAttribute('aria-expanded')) !== 'true') await header.click();
    const folders = page.locator('.pane-header', { hasText: /^examples$/i }).first();
    if ((await folders.getAttribute('aria-expanded')) === 'true') await folders.click();
    const row = (label: string): Locator =>
      pane.locator('.monaco-list-row', {
        has: page.locator('.label-name', { hasText: new RegExp(`^${label}$`) }),
      });
    await row('resnet18\\.onnx').first().waitFor({ timeout: 60_000 });
    const labels = await pane
      .locator('.monaco-list-row .label-name')
      .evaluateAll((els) => els.map((e) => e.textContent?.trim() ?? ''));
    const fileRow = labels.indexOf('resnet18.onnx');
    const modelIndex = labels.indexOf('ONNX model', fileRow);
    assert.ok(fileRow >= 0 && modelIndex > fileRow, `rows: ${labels.join(', ')}`);
    await pane.locator('.monaco-list-row').nth(modelIndex).locator('.monaco-tl-twistie').click();
    // Listed from the file before any run, with PyTorch's module paths.
    const layer = row('layer1\\.0\\.conv1').first();
    await layer.waitFor({ timeout: 120_000 });
    await screenshot('onnx-models-view');
    await layer.click();

    await waitForQuickPickItem(page, (l) => l.endsWith('.png'), 60_000);
    await page.keyboard.type('chelsea');
    await waitForQuickPickItem(page, (l) => l === 'chelsea.png', 30_000);
    await pickQuickItem(page, 'chelsea.png');
    const deadline = Date.now() + 300_000;
    while (!(await webviewIsShown(page))) {
      if (Date.now() > deadline) throw new Error('the panel did not open');
      await sleep(250);
    }
    const webview = activeWebview(page);
    await webview
      .locator('.layer-title[data-layer="layer1.0.conv1"]')
      .waitFor({ timeout: 300_000 });
    // layer1.0.conv1 of ResNet-18: 56x56x64, 64 tiles, drawn.
    await webview
      .locator('#feature-grid .tile[data-channel="0"][data-drawn="true"]')
      .waitFor({ timeout: 120_000 });
    assert.equal(await webview.locator('#feature-grid .tile').count(), 64);
    await screenshot('onnx-layer1.0.conv1');

    await webview.locator('#tab-structure').click();
    await webview.locator('#structure-table').waitFor({ timeout: 30_000 });
    const adds = await webview
      .locator('#structure-table tbody tr')
      .evaluateAll((rows) =>
        rows.map((r) => (r as HTMLElement).dataset.layer ?? '').filter((n) => /\.Add$/.test(n)),
      );
    assert.deepEqual(adds, [
      'layer1.0.Add',
      'layer1.1.Add',
      'layer2.0.Add',
      'layer2.1.Add',
      'layer3.0.Add',
      'layer3.1.Add',
      'layer4.0.Add',
      'layer4.1.Add',
    ]);
    const totals = await webview
      .locator('#structure-totals')
      .evaluate((e) => ({ ...(e as HTMLElement).dataset }));
    assert.equal(totals.params, '11684712');
    await screenshot('onnx-structure');

    // A bare file's panel says how to add labels and preprocessing; its link writes the wrapper
    // beside the file, which opens with ImageNet's class names.
    const hint = webview.locator('#onnx-hint');
    await hint.waitFor({ timeout: 30_000 });
    assert.match((await hint.textContent()) ?? '', /classes are numbered/);
    await hint.locator('a[data-action="onnxWrapper"]').click();
    const wrapperPanel = page.locator('.editor-group-container .tab', {
      hasText: /^CNN: resnet18-model/,
    });
    await wrapperPanel.waitFor({ timeout: 120_000 });
    assert.ok(existsSync(join(onnxDir, 'resnet18-model.ts')), 'wrapper written beside the file');
    const wrapped = activeWebview(page);
    const top = wrapped.locator('#top5');
    await top.waitFor({ timeout: 300_000 });
    const classes = await top.textContent();
    assert.doesNotMatch(classes ?? '', /class \d+/, 'named classes');
    assert.equal(await wrapped.locator('#onnx-hint').count(), 0, 'no hint for a model file');
    await wrapped
      .locator('#feature-grid .tile[data-drawn="true"]')
      .first()
      .waitFor({ timeout: 120_000 });
    await screenshot('onnx-wrapper-panel');
  });
  // The views beyond the maps on an imported net with grouped convolutions (12 channels in 3
  // groups of 4 at grouped_s2), a dilated depthwise one, edge padding and pooling divisors: the
  // arithmetic dialog, the Why tab's projections and filters, and the Gallery tab.
  it('groups.onnx: the arithmetic of a grouped unit, the Why tab and the gallery', async function () {
    this.timeout(480_000);
    const page = workbenchPage();
    const webview = await openPanelFromPalette(page, 'groups', 'grouped_s2', 'chelsea.png');
    await webview
      .locator('#feature-grid .tile[data-drawn="true"]')
      .first()
      .waitFor({ timeout: 180_000 });
    assert.equal(await webview.locator('#feature-grid .tile').count(), 6);
    // Filter 3 is in the second group: its arithmetic reads input channels 4..7 only.
    await webview.locator('#feature-grid .tile[data-channel="3"]').click();
    const map = webview.locator('#enlarged-view canvas').first();
    await map.waitFor({ state: 'visible', timeout: 30_000 });
    const box = (await map.boundingBox())!;
    await page.mouse.move(box.x + box.width * 0.6, box.y + box.height * 0.5);
    await sleep(200);
    const hovered = (await webview.locator('#enlarged-view .readout').textContent()) ?? '';
    const match = /channel 3 \u00b7 y (\d+), x (\d+) \u00b7 ([-0-9.e+]+)/.exec(hovered);
    assert.ok(match, `hover readout: "${hovered}"`);
    await page.mouse.click(box.x + box.width * 0.6, box.y + box.height * 0.5);
    const value = webview.locator('#arithmetic-view #arithmetic-value');
    await value.waitFor({ state: 'visible', timeout: 60_000 });
    await sleep(300);
    await screenshot('onnx-grouped-arithmetic');
    assert.equal((await value.textContent())?.trim(), match[3], 'ends at the hovered value');
    const channels = webview.locator('#arithmetic-view .arith-channel');
    assert.equal(await channels.count(), 4, 'one row per input channel of the group');
    assert.equal(await channels.first().locator('td').count(), 9);

    await webview.locator('#arithmetic-view button', { hasText: 'Close' }).click();
    await webview.locator('#enlarged-why').click();
    const section = webview.locator('#why-projections');
    await section.waitFor({ timeout: 120_000 });
    assert.equal(await webview.locator('#why-not-invertible').count(), 0, 'no layer stops them');
    for (const method of ['deconvnet', 'guided', 'saliency']) {
      const drawn = await webview.locator(`#why-${method}-full`).evaluate((node) => {
        const canvas = node as HTMLCanvasElement;
        const data = canvas.getContext('2d')!.getImageData(0, 0, canvas.width, canvas.height).data;
        let notGrey = 0;
        for (let i = 0; i < data.length; i += 4) if (data[i] !== 128) notGrey++;
        return { width: canvas.width, height: canvas.height, notGrey };
      });
      assert.deepEqual([drawn.width, drawn.height], [15, 15], method);
      assert.ok(drawn.notGrey > 0, `${method}: every pixel is mid grey`);
    }
    await webview.locator('#why-filter-layer').selectOption('grouped_s2');
    const filters = webview.locator('#why-filter-set[data-layer="grouped_s2"]');
    await filters.waitFor({ timeout: 60_000 });
    assert.equal(await filters.getAttribute('data-filters'), '6');
    assert.equal(
      await filters.locator('.why-filter[data-filter="0"] canvas.why-weight-grid').count(),
      4,
      "a filter's grids: its group's 4 input channels",
    );
    await sleep(300);
    await screenshot('onnx-grouped-why');

    await webview.locator('#tab-gallery').click();
    await webview.locator('#gallery-layer').selectOption('grouped');
    const tiles = webview.locator('#gallery-image .unit-tile');
    await webview
      .locator('#gallery-image .unit-tile canvas.crop')
      .nth(11)
      .waitFor({ timeout: 120_000 });
    assert.equal(await tiles.count(), 12);
    await sleep(300);
    await screenshot('onnx-grouped-gallery');
    await webview.locator('#tab-feature-maps').click();
  });
});
