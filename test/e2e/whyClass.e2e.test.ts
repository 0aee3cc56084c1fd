// The Why tab's class section through the UI: for LeNet on the ankle boot, the class selector
// (top-5 first) draws Grad-CAM, Guided Grad-CAM, occlusion and integrated gradients, redraws them
// for another class, and "What the unit wants" runs on a click, with progress and Cancel, and
// compares the unit's activation on the optimised input with this image's.
import * as assert from 'node:assert/strict';
import { screenshot, workbenchPage } from './fixture';
import { canvasColourCounts, openPanelFromPalette } from './workbench';

describe('CNN Inspector: why this class, through the UI', () => {
  it("draws the four class pictures for LeNet's ankle boot and follows the class selector", async () => {
    const page = workbenchPage();
    const webview = await openPanelFromPalette(page, 'lenet', 'conv2', '000-ankle-boot.png');
    await webview
      .locator('#feature-grid .tile[data-drawn="true"]')
      .first()
      .waitFor({ timeout: 120_000 });
    await webview.locator('#tab-why').click();
    const drawn = (id: string) => webview.locator(`#why-class-${id}[data-drawn="true"]`);
    try {
      await drawn('gradcam-overlay').waitFor({ timeout: 120_000 });
    } catch (error) {
      await screenshot('why-class-not-drawn');
      const text = await webview
        .locator('.why-view')
        .first()
        .innerText()
        .catch(() => '');
      throw new Error(`${(error as Error).message}\nWhy tab: ${text.slice(0, 1500)}`);
    }
    for (const id of [
      'gradcam-overlay',
      'gradcam-layer',
      'guided-full',
      'occlusion-overlay',
      'integratedGradients-overlay',
    ])
      await drawn(id).waitFor({ timeout: 120_000 });
    const select = webview.locator('#why-class');
    assert.equal(await select.inputValue(), '9', 'the top class first');
    const groups = await select
      .locator('optgroup')
      .evaluateAll((gs) => gs.map((g) => [(g as HTMLOptGroupElement).label, g.children.length]));
    assert.deepEqual(groups, [
      ['Top 5', 5],
      ['All classes', 10],
    ]);
    const figures = webview.locator('.why-class-figure');
    const facts = await figures.locator('.why-class-facts').allTextContents();
    assert.match(facts[0], /^Ankle boot: score 5\.888 before softmax/);
    const completeness = /\(([\d.]+)% off; 64 steps, black baseline\)/.exec(facts[3]);
    assert.ok(completeness && Number(completeness[1]) < 1, facts[3]);
    assert.match(facts[2], /^11\u00d711 windows of 7\u00d77, stride 2, fill 0/);
    const colours = await canvasColourCounts(
      webview.locator('.why-class-figure canvas[data-drawn="true"]'),
    );
    assert.ok(
      colours.every((c) => c > 8),
      `every picture has content: ${colours}`,
    );
    const definitions = await figures.locator('.why-class-definition').allTextContents();
    assert.equal(definitions.length, 5);
    assert.equal(await webview.locator('.why-class-legend canvas.legend-bar').count(), 3);
    await screenshot('why-class-ankle-boot');
    // Another class: the maps are recomputed for it.
    const before = await webview
      .locator('#why-class-gradcam-layer')
      .evaluate((c) => (c as HTMLCanvasElement).toDataURL());
    await select.selectOption('5');
    await webview
      .locator('.why-class-figure[data-method="gradcam"] .why-class-facts', { hasText: 'Sandal' })
      .waitFor({ timeout: 60_000 });
    await drawn('integratedGradients-overlay').waitFor({ timeout: 120_000 });
    const after = await webview
      .locator('#why-class-gradcam-layer')
      .evaluate((c) => (c as HTMLCanvasElement).toDataURL());
    assert.notEqual(after, before);
    // What the unit wants: a long run shows progress and stops on Cancel; a short one draws.
    const feature = webview.locator('.why-class-figure[data-method="featureVisualization"]');
    const status = feature.locator('.why-class-status');
    await feature.locator('input[name="channel"]').fill('3');
    await feature.locator('input[name="channel"]').dispatchEvent('change');
    await feature.locator('input[name="steps"]').fill('5000');
    await feature.locator('button[data-run="featureVisualization"]').click();
    await status
      .filter({ hasText: /Feature visualization steps: \d+ of 5000/ })
      .waitFor({ timeout: 120_000 });
    await screenshot('why-class-feature-progress');
    await feature.locator('button[data-cancel="featureVisualization"]').click();
    await status.filter({ hasText: 'Cancelled.' }).waitFor({ timeout: 60_000 });
    await feature.locator('input[name="steps"]').fill('32');
    await feature.locator('button[data-run="featureVisualization"]').click();
    await drawn('featureVisualization-image').waitFor({ timeout: 120_000 });
    assert.match(
      (await feature.locator('.why-class-facts').textContent()) ?? '',
      /^conv2 channel 3, 32 steps \(mean activation [-\d.]+\)\. Largest activation:/,
    );
    // the optimised input against this image (no folder gallery here: a hint says how to get one)
    const rows = await feature
      .locator('.why-compare-row')
      .evaluateAll((items) =>
        items.map((i) => [
          (i as HTMLElement).dataset.label,
          Number(i.querySelector('.why-compare-value')!.textContent),
        ]),
      );
    assert.deepEqual(
      rows.map((r) => r[0]),
      ['optimised input', 'this image'],
    );
    assert.ok(Number(rows[0][1]) > Number(rows[1][1]), `the optimised input wins: ${rows}`);
    assert.match(
      (await feature.locator('.why-class-facts .hint').textContent()) ?? '',
      /Build a folder gallery of conv2/,
    );
    await feature.scrollIntoViewIfNeeded();
    await screenshot('why-class-feature-visualization');
  });
});
