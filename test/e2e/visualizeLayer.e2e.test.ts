import * as assert from 'node:assert/strict';
import { recordFigure, screenshot, workbenchPage } from './fixture';
import {
  canvasColourCounts,
  pickQuickItem,
  visualizeFromPalette,
  waitForQuickPickItem,
} from './workbench';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('CNN Inspector: Visualize layer, through the UI', () => {
  it('shows the six conv1 feature maps of LeNet, each drawn with more than one colour', async () => {
    const page = workbenchPage();
    const { webview, lastPickAt } = await visualizeFromPalette(page, 'lenet', 'conv1', {
      onStep: screenshot,
    });

    const tiles = webview.locator('#feature-grid .tile');
    await webview
      .locator('#feature-grid .tile[data-drawn="true"]')
      .first()
      .waitFor({ timeout: 120_000 });
    // A figure for the benchmark (scripts/bench-ui.sh), never asserted: timings on shared machines are noisy.
    await recordFigure('lastPickToFirstTileMs', Date.now() - lastPickAt);
    // Every tile reports data-drawn once its canvas is painted.
    await webview
      .locator('#feature-grid .tile[data-drawn="true"]')
      .nth(5)
      .waitFor({ timeout: 120_000 });
    await sleep(500); // let any late tile arrive before counting
    assert.equal(await tiles.count(), 6, 'conv1 of LeNet has 6 filters, so 6 feature-map tiles');
    const drawn = await tiles.evaluateAll((els) => els.map((e) => e.getAttribute('data-drawn')));
    assert.deepEqual(drawn, ['true', 'true', 'true', 'true', 'true', 'true']);
    await screenshot('feature-maps');

    const canvases = webview.locator('#feature-grid .tile canvas');
    assert.equal(await canvases.count(), 6, 'every tile has its canvas');
    const sizes = await canvases.evaluateAll((els) =>
      (els as HTMLCanvasElement[]).map((c) => [c.width, c.height]),
    );
    const colours = await canvasColourCounts(canvases);
    sizes.forEach(([width, height], i) => {
      // conv1 maps a 28x28 input to 24x24 (5x5 kernel, valid padding) or 28x28 (same): never 1 pixel.
      assert.ok(width >= 24 && height >= 24, `tile ${i}: canvas is ${width}x${height}`);
      assert.ok(colours[i] > 1, `tile ${i}: every pixel has the same colour`);
    });

    // Warm (the model is loaded): a click on conv2 in the layer list until every tile in view is
    // drawn, timed inside the page (Playwright's waits poll every 100-500 ms, coarser than the
    // figure). The title changes and the grid is cleared at once, so drawn tiles are new ones.
    // A figure for scripts/bench-ui.sh (issue 14's goal: under 100 ms), never asserted.
    const warmMs = await webview.locator('#layer-list tr[data-layer="conv2"]').evaluate(
      (row) =>
        new Promise<number>((resolve) => {
          const started = performance.now();
          // No named functions in page code: the test compiler's __name helper is not here.
          const observer = new MutationObserver(() => {
            const title = document.querySelector<HTMLElement>('.layer-title');
            const inView = [
              ...document.querySelectorAll<HTMLElement>('#feature-grid .tile'),
            ].filter((tile) => tile.getBoundingClientRect().top < window.innerHeight);
            if (title?.dataset.layer !== 'conv2' || inView.length === 0) return;
            if (inView.some((tile) => tile.dataset.drawn !== 'true')) return;
            observer.disconnect();
            resolve(performance.now() - started);
          });
          observer.observe(document.body, { subtree: true, childList: true, attributes: true });
          (row as HTMLElement).click();
        }),
    );
    await recordFigure('warmLayerClickToTilesInViewMs', Math.round(warmMs));
    assert.equal(await tiles.count(), 16, 'conv2 of LeNet has 16 filters, so 16 tiles');

    // The click also reveals conv2's line. The panel opened before any editor, in the first
    // group: the source must open beside it, not over it (a hidden panel never drew the next layer).
    const sourceTab = page.locator('.editor-group-container .tab', { hasText: /^lenet\.ts/ });
    await sourceTab.first().waitFor({ timeout: 30_000 });
    const groups = page.locator('.editor-group-container');
    assert.equal(await groups.count(), 2, 'the source opens in a second group');
    const panelGroup = groups.filter({ has: page.locator('.tab', { hasText: /^CNN: lenet5/ }) });
    assert.equal(await panelGroup.locator('.tab', { hasText: /^lenet\.ts/ }).count(), 0);
    for (const [layer, filters] of [
      ['pool1', 6],
      ['conv1', 6],
    ] as const) {
      await webview.locator(`#layer-list tr[data-layer="${layer}"]`).click();
      await webview.locator(`.layer-title[data-layer="${layer}"]`).waitFor({ timeout: 60_000 });
      await webview
        .locator('#feature-grid .tile[data-drawn="true"]')
        .first()
        .waitFor({ timeout: 60_000 });
      assert.equal(await tiles.count(), filters, `${layer}: ${filters} tiles`);
    }
    await screenshot('source-beside-panel');
    await screenshot('feature-maps-warm-conv2');

    // The sidebar's Change image…: the picker lists the pictures, the pick runs and redraws.
    const caption = webview.locator('.caption');
    const before = (await caption.textContent()) ?? '';
    const next = before.startsWith('002-trouser.png') ? '001-pullover.png' : '002-trouser.png';
    await webview.getByRole('button', { name: /Change image/ }).click();
    await waitForQuickPickItem(page, (l) => l.endsWith('.png'), 60_000);
    await page.keyboard.type(next.replace(/\.png$/, ''));
    await waitForQuickPickItem(page, (l) => l === next, 30_000);
    await pickQuickItem(page, next);
    await webview
      .locator('.caption', { hasText: new RegExp(`^${next.replace('.', '\\.')}`) })
      .waitFor({ timeout: 60_000 });
    await webview
      .locator('#feature-grid .tile[data-drawn="true"]')
      .nth(5)
      .waitFor({ timeout: 60_000 });
    assert.equal(await tiles.count(), 6, 'still conv1, drawn for the new picture');
    await screenshot('changed-image');
  });
});
