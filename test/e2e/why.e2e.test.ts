// The Why tab (projections of a unit back to the input, filters) and 1-D models (signal picker,
// line plots), through the UI. Numbers are read from the DOM's data attributes and pixels.
import * as assert from 'node:assert/strict';
import { extname } from 'node:path';
import type { FrameLocator, Page } from 'playwright-core';
import { screenshot, workbenchPage } from './fixture';
import {
  activeWebview,
  pickQuickItem,
  runCommand,
  throwOnExtensionError,
  waitForQuickPickItem,
  webviewIsShown,
} from './workbench';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Visualize layer → model → layer → input (typed to filter the virtualised list, then picked). */
async function visualize(page: Page, model: string, layer: string, input: string): Promise<void> {
  await runCommand(page, 'CNN Inspector: Visualize layer');
  await waitForQuickPickItem(page, (l) => l === model);
  await pickQuickItem(page, model);
  await waitForQuickPickItem(page, (l) => l === layer, 120_000);
  await pickQuickItem(page, layer);
  // The input picker lists files of the input's kind (images, or signals for 1-D models).
  await waitForQuickPickItem(page, (l) => l.endsWith(extname(input)), 60_000);
  await page.keyboard.type(input.slice(0, 9));
  await waitForQuickPickItem(page, (l) => l === input, 60_000);
  await pickQuickItem(page, input);
  const deadline = Date.now() + 120_000;
  while (!(await webviewIsShown(page))) {
    if (Date.now() > deadline) throw new Error('the panel did not open');
    await throwOnExtensionError(page, 'while opening the panel');
    await sleep(250);
  }
}

/** Distinct RGBA colours of a canvas and how many pixels differ from mid grey (128). */
async function canvasPixels(webview: FrameLocator, selector: string) {
  return webview.locator(selector).evaluate((node) => {
    const canvas = node as HTMLCanvasElement;
    const data = canvas.getContext('2d')!.getImageData(0, 0, canvas.width, canvas.height).data;
    const colours = new Set<number>();
    let notGrey = 0;
    for (let i = 0; i < data.length; i += 4) {
      colours.add((data[i] << 16) | (data[i + 1] << 8) | data[i + 2]);
      if (data[i] !== 128 || data[i + 1] !== 128 || data[i + 2] !== 128) notGrey++;
    }
    return { width: canvas.width, height: canvas.height, colours: colours.size, notGrey };
  });
}

describe('CNN Inspector: why a unit fires, through the UI', () => {
  it('projects a clicked conv2 unit of LeNet back to the input and shows conv1 filters', async () => {
    const page = workbenchPage();
    await visualize(page, 'lenet', 'conv2', '000-ankle-boot.png');
    const webview = activeWebview(page);
    await webview
      .locator('#feature-grid .tile[data-drawn="true"]')
      .first()
      .waitFor({ timeout: 120_000 });
    // Enlarge channel 3 and click a unit; close its arithmetic; ask why it fires.
    await webview.locator('#feature-grid .tile[data-channel="3"]').click();
    const map = webview.locator('#enlarged-view canvas').first();
    await map.waitFor({ state: 'visible', timeout: 30_000 });
    const box = (await map.boundingBox())!;
    // conv2 maps are 10x10: (y 4, x 6) is at 45% down, 65% across.
    await page.mouse.click(box.x + box.width * 0.65, box.y + box.height * 0.45);
    await webview.locator('#arithmetic-view #arithmetic-value').waitFor({ timeout: 60_000 });
    await webview.locator('#arithmetic-view button', { hasText: 'Close' }).click();
    await webview.locator('#enlarged-why').click();
    const section = webview.locator('#why-projections');
    await section.waitFor({ timeout: 120_000 });
    await sleep(300);
    await screenshot('why-conv2-unit');
    const unit = await section.evaluate((e) => ({ ...(e as HTMLElement).dataset }));
    assert.deepEqual([unit.layer, unit.channel, unit.position], ['conv2', '3', '4,6']);
    assert.equal(await webview.locator('#tab-why').getAttribute('aria-selected'), 'true');
    // The three projections, full size (28x28, the input) and cropped to the unit's receptive
    // field: conv2's field is 14x14 from rows -2+4*2 = 6 and columns -2+6*2 = 10, inside the input.
    for (const method of ['deconvnet', 'guided', 'saliency']) {
      const full = await canvasPixels(webview, `#why-${method}-full`);
      assert.deepEqual([full.width, full.height], [28, 28], method);
      assert.ok(full.colours > 2, `${method}: ${full.colours} colours, expected a picture`);
      assert.ok(full.notGrey > 0, `${method}: every pixel is mid grey`);
      const crop = await canvasPixels(webview, `#why-${method}-crop`);
      assert.deepEqual([crop.width, crop.height], [14, 14], `${method} crop`);
      assert.ok(crop.notGrey > 0, `${method} crop is blank`);
      // Outside the receptive field, nothing reaches the input: the full picture is grey there.
      const outside = await webview.locator(`#why-${method}-full`).evaluate((node) => {
        const canvas = node as HTMLCanvasElement;
        const data = canvas.getContext('2d')!.getImageData(0, 0, 28, 28).data;
        let count = 0;
        for (let y = 0; y < 28; y++)
          for (let x = 0; x < 28; x++) {
            const inside = y >= 6 && y < 20 && x >= 10 && x < 24;
            if (!inside && data[(y * 28 + x) * 4] !== 128) count++;
          }
        return count;
      });
      assert.equal(outside, 0, `${method}: pixels outside the receptive field are not grey`);
    }
    const inputCrop = await canvasPixels(webview, '#why-input-crop');
    assert.deepEqual([inputCrop.width, inputCrop.height], [14, 14]);

    // Filters: LeNet's conv1 has 6 grey 5x5 filters, each beside its strongest input patch.
    const filters = webview.locator('#why-filter-set[data-layer="conv1"]');
    await filters.waitFor({ timeout: 60_000 });
    assert.equal(await filters.locator('.why-filter').count(), 6);
    assert.equal(await filters.locator('canvas.why-kernel').count(), 6);
    const kernel = await canvasPixels(webview, '.why-filter[data-filter="0"] canvas.why-kernel');
    assert.deepEqual([kernel.width, kernel.height], [5, 5]);
    assert.equal(await filters.locator('canvas.why-patch-picture').count(), 6);
    await webview.locator('#why-filter-scaling').selectOption('alone');
    await sleep(200);
    await screenshot('why-filters-conv1');
    // Deeper: conv2's filters as weight grids, 6 input channels each.
    await webview.locator('#why-filter-layer').selectOption('conv2');
    const conv2 = webview.locator('#why-filter-set[data-layer="conv2"]');
    await conv2.waitFor({ timeout: 60_000 });
    assert.equal(await conv2.getAttribute('data-filters'), '16');
    assert.equal(
      await conv2.locator('.why-filter[data-filter="0"] canvas.why-weight-grid').count(),
      6,
    );
    await screenshot('why-filters-conv2');
  });

  it('plots the 1-D edge detector on the lecture signal with the lecture numbers', async () => {
    const page = workbenchPage();
    await visualize(page, 'edges1d', 'edge', 'lecture.csv');
    const webview = activeWebview(page);
    const tile = webview.locator('#feature-grid .tile[data-channel="0"][data-drawn="true"] canvas');
    await tile.waitFor({ timeout: 120_000 });
    // By hand: x = [0,0,0,1,1,1,1,1,0,0,1], y[i] = x[2i] - x[2i+1] with one zero after the end.
    assert.equal(await tile.getAttribute('data-plot'), 'line');
    assert.equal(await tile.getAttribute('data-values'), '0,-1,0,0,0,1');
    const input = webview.locator('#input-image');
    assert.equal(await input.getAttribute('data-plot'), 'line');
    assert.equal(await input.getAttribute('data-values'), '0,0,0,1,1,1,1,1,0,0,1');
    // Hovering step 1 of the plot reads t 1 and -1.
    const box = (await tile.boundingBox())!;
    await page.mouse.move(box.x + box.width * (1.5 / 6), box.y + box.height / 2);
    const tooltip = webview.locator('.tooltip');
    await tooltip.waitFor({ state: 'visible', timeout: 10_000 });
    assert.match((await tooltip.textContent()) ?? '', /channel 0 \u00b7 t 1 \u00b7 -1(\D|$)/);
    // ... and marks the two steps it reads on the input plot: 2 and 3 (half-open 2..4), 2 of 11.
    const rf = webview.locator('#rf-box');
    await rf.waitFor({ timeout: 10_000 });
    const field = await rf.evaluate((e) => ({ ...(e as SVGElement).dataset }));
    assert.deepEqual([field.x0, field.x1, field.clipX0, field.clipX1], ['2', '4', '2', '4']);
    assert.match(
      (await webview.locator('#rf-readout').textContent()) ?? '',
      /^edge \(t 1\) sees steps 2\u20263 \(2 steps\)/,
    );
    // The centre mark (steps 2..3: between them) stays inside the input plot, as its field does.
    const marks = await webview.locator('body').evaluate(() => {
      const plot = document.querySelector('#input-image')!.getBoundingClientRect();
      const field = document.querySelector('#rf-box .rf-unclipped')!.getBoundingClientRect();
      return {
        plot: [plot.top, plot.bottom],
        fieldMiddle: (field.left + field.right) / 2,
        lines: [...document.querySelectorAll('#rf-box .rf-centre')].map((line) => {
          const r = line.getBoundingClientRect();
          return { top: r.top, bottom: r.bottom, middle: (r.left + r.right) / 2 };
        }),
      };
    });
    assert.equal(marks.lines.length, 2, JSON.stringify(marks));
    for (const line of marks.lines) {
      assert.ok(
        line.top >= marks.plot[0] - 1 && line.bottom <= marks.plot[1] + 1,
        `the centre mark leaves the plot: ${JSON.stringify(marks)}`,
      );
      assert.ok(Math.abs(line.middle - marks.fieldMiddle) <= 1, JSON.stringify(marks));
    }
    await screenshot('edges1d-line-plots');
    // The strongest unit is y[5] = 1, which reads x[10] (x 1) and the padding (x -1): its
    // gradient and deconvnet projection are 1 at t 10 and 0 elsewhere.
    await webview.locator('#tab-why').click();
    const section = webview.locator('#why-projections');
    await section.waitFor({ timeout: 120_000 });
    assert.equal(await section.getAttribute('data-position'), '5');
    for (const method of ['deconvnet', 'saliency']) {
      assert.equal(
        await webview.locator(`#why-${method}-full`).getAttribute('data-values'),
        '0,0,0,0,0,0,0,0,0,0,1',
        method,
      );
    }
    assert.equal(await webview.locator('#why-input-crop').getAttribute('data-values'), '1');
    await screenshot('edges1d-why');
  });
});
