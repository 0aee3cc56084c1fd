// A cold VGG-16 (issue 9): its 138 million weights take tens of seconds to build. The panel opens
// at once from the lens and is never blank meanwhile: a progress line says what is happening, and
// the layers show as soon as the model is built, before the model is ready. The panel records
// what it shows (a MutationObserver), so the check does not depend on how long each step takes.
// The TF.js engine keeps the test off ONNX Runtime's session build, which other tests cover.
import * as assert from 'node:assert/strict';
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { screenshot, workbenchPage } from './fixture';
import {
  activeWebview,
  pickQuickItem,
  runCommand,
  waitForQuickPickItem,
  webviewIsShown,
} from './workbench';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const settingsFolder = join(__dirname, '..', '..', 'examples', '.vscode');

interface Seen {
  /** Each progress line, in order. */
  statuses: string[];
  /** Rows of the greyed layer list, when it appeared, and whether the engine badge was there. */
  pendingRows: number;
  badgeWithPending: boolean;
  factsWithPending: string;
}

describe('CNN Inspector: a cold model panel, through the UI', () => {
  afterEach(() => rmSync(settingsFolder, { recursive: true, force: true }));

  it('shows progress and the layers of VGG-16 while it is still getting ready', async function () {
    this.timeout(900_000);
    const page = workbenchPage();
    mkdirSync(settingsFolder, { recursive: true });
    writeFileSync(
      join(settingsFolder, 'settings.json'),
      JSON.stringify({ 'cnnInspector.engine': 'tfjs' }),
    );
    await sleep(1000); // the setting is read at the next request
    // A fresh worker holds no model: VGG-16 is built from scratch.
    await runCommand(page, 'CNN Inspector: Restart model worker');
    const rows = page.locator('.explorer-folders-view .monaco-list-row');
    await rows.filter({ hasText: /^vgg16\.ts$/ }).click({ timeout: 60_000 });
    const lens = page.locator('.codelens-decoration a', { hasText: /^Visualize model/ }).first();
    await lens.waitFor({ timeout: 60_000 });
    await lens.click();

    // The panel is there at once; from now on it records what it shows.
    const deadline = Date.now() + 30_000;
    while (!(await webviewIsShown(page))) {
      if (Date.now() > deadline) throw new Error('the panel did not open at once');
      await sleep(250);
    }
    const webview = activeWebview(page);
    await webview.locator('.status').waitFor({ state: 'attached', timeout: 30_000 });
    // No named functions in the page's code: the test's compiler would wrap them in a helper the
    // page does not have. The observer records every change; the attribute set last triggers it.
    await webview.locator('body').evaluate((body) => {
      const seen = {
        statuses: [] as string[],
        pendingRows: 0,
        badgeWithPending: false,
        factsWithPending: '',
      };
      (window as unknown as { seen: typeof seen }).seen = seen;
      new MutationObserver(() => {
        const status = document.querySelector('.status')?.textContent ?? '';
        if (status && seen.statuses[seen.statuses.length - 1] !== status)
          seen.statuses.push(status);
        const pending = document.querySelectorAll('#layer-list.pending tbody tr').length;
        if (pending && !seen.pendingRows) {
          seen.pendingRows = pending;
          seen.badgeWithPending = document.querySelector('#backend') !== null;
          seen.factsWithPending = document.querySelector('.model-facts')?.textContent ?? '';
        }
      }).observe(body, { subtree: true, childList: true, characterData: true, attributes: true });
      body.dataset.recording = 'yes';
    });
    await screenshot('cold-vgg16-loading');
    const seenSoFar = () =>
      webview.locator('body').evaluate(() => (window as unknown as { seen: Seen }).seen);
    // Progress in one place: the panel's line, with its Cancel, and no notification beside it
    // (it would appear 400 ms into a step; the build takes tens of seconds). The line is posted
    // when the panel opens: 30 s is for a loaded machine. Clean-clone CI runs saw no line here
    // when VS Code noticed the test's new settings.json a few seconds late (it polls a missing
    // .vscode folder every 5 s): the engine change restarted the worker during the load, which
    // the panel took as a Cancel and stayed blank for good.
    await webview
      .locator('.status.busy #status-cancel')
      .waitFor({ timeout: 30_000 })
      .catch(async (error: unknown) => {
        throw new Error(`${String(error)}\nseen: ${JSON.stringify(await seenSoFar())}`);
      });
    await sleep(2000);
    const progressToasts = await page
      .locator('.notification-toast', { hasText: /CNN Inspector/ })
      .count();
    const stillBusy = await webview.locator('.status.busy').count();
    await screenshot('cold-vgg16-progress-in-panel');
    assert.equal(stillBusy, 1, 'the panel is still loading the model');
    assert.equal(progressToasts, 0, 'a progress notification beside the panel');

    // Whatever happens to the worker meanwhile (a setting that needs a new one, the user's
    // Restart), the panel keeps loading on the new worker: the line says so and keeps its Cancel.
    await runCommand(page, 'CNN Inspector: Restart model worker');
    await webview
      .locator('.status.busy', { hasText: /Starting again: the model worker was restarted by/ })
      .waitFor({ timeout: 30_000 })
      .catch(async (error: unknown) => {
        throw new Error(`${String(error)}\nseen: ${JSON.stringify(await seenSoFar())}`);
      });
    assert.equal(await webview.locator('.status.busy #status-cancel').count(), 1);
    await screenshot('cold-vgg16-restarted-while-loading');

    // Ready: it asks for a picture; the panel shows its maps.
    await waitForQuickPickItem(page, (l) => l.endsWith('.png'), 600_000);
    await page.keyboard.type('chelsea');
    await waitForQuickPickItem(page, (l) => l === 'chelsea.png', 30_000);
    await pickQuickItem(page, 'chelsea.png');
    await webview
      .locator('#feature-grid .tile[data-drawn="true"]')
      .first()
      .waitFor({ timeout: 300_000 });
    await screenshot('cold-vgg16-ready');
    const seen = (await webview
      .locator('body')
      .evaluate(() => (window as unknown as { seen: unknown }).seen)) as Seen;
    console.log(`      seen: ${JSON.stringify(seen)}`);

    // The load started again after the restart, and built the model then.
    const restartedAt = seen.statuses.findIndex((s) => /Starting again/.test(s));
    assert.ok(restartedAt >= 0, seen.statuses.join(' | '));
    assert.ok(
      seen.statuses.slice(restartedAt).some((s) => /^Loading vgg16: Built 22 layers/.test(s)),
      seen.statuses.join(' | '),
    );
    // The steps, in the panel: building, then the layers known (22: 13 convolutions, 5 poolings,
    // flatten, 3 dense; 138,357,544 parameters as in Keras), greyed, before the engine badge.
    assert.ok(
      seen.statuses.some((s) => /^Loading vgg16: Building the model/.test(s)),
      seen.statuses.join(' | '),
    );
    assert.ok(
      seen.statuses.some((s) => /^Loading vgg16: Built 22 layers/.test(s)),
      seen.statuses.join(' | '),
    );
    assert.equal(seen.pendingRows, 22);
    assert.equal(seen.badgeWithPending, false);
    assert.match(
      seen.factsWithPending,
      /22 layers \u00b7 138,357,544 parameters \u00b7 getting ready/,
    );
    // Then the real model: the list is no longer greyed, the badge is there.
    assert.equal(await webview.locator('#layer-list.pending').count(), 0);
    assert.equal(await webview.locator('#backend').count(), 1);
  });

  // The progress line's Cancel ends the load; the panel must not be left blank (it was: no line,
  // no way to start again but closing it). It says so, keeps the greyed layers, and its button
  // starts the load again. The default engine prepares ONNX Runtime after the layers are built
  // (tens of seconds for VGG-16): the Cancel pressed then finds the load still running.
  it('says Cancelled with Load again when the user cancels the load, and loads again', async function () {
    this.timeout(900_000);
    const page = workbenchPage();
    await runCommand(page, 'CNN Inspector: Restart model worker');
    const rows = page.locator('.explorer-folders-view .monaco-list-row');
    await rows.filter({ hasText: /^vgg16\.ts$/ }).click({ timeout: 60_000 });
    const lens = page.locator('.codelens-decoration a', { hasText: /^Visualize model/ }).first();
    await lens.waitFor({ timeout: 60_000 });
    await lens.click();
    const webview = activeWebview(page);
    await webview.locator('#layer-list.pending').waitFor({ timeout: 600_000 });
    const pendingRows = await webview.locator('#layer-list.pending tbody tr').count();
    await webview.locator('.status.busy #status-cancel').click({ timeout: 10_000 });

    const cancelledLine = webview.locator('.status[data-kind="cancelled"]');
    await cancelledLine.waitFor({ timeout: 60_000 });
    await sleep(1000); // nothing posted after the cancel may blank the line again
    await screenshot('cold-vgg16-cancelled');
    assert.equal(
      (await cancelledLine.locator('.status-text').textContent())?.trim(),
      'Cancelled: vgg16 was not loaded.',
    );
    assert.equal(await webview.locator('.status.busy').count(), 0, 'no progress line left');
    assert.equal(await webview.locator('#layer-list.pending tbody tr').count(), pendingRows);
    assert.equal(pendingRows, 22, 'the greyed layers of VGG-16 stay');
    assert.match(
      (await webview.locator('.model-facts').textContent()) ?? '',
      /22 layers · 138,357,544 parameters · not loaded$/,
      'the heading no longer says the model is getting ready',
    );
    assert.equal(await page.locator('.quick-input-widget:visible').count(), 0, 'no image asked');

    // Load again: the progress line is back, the model loads and, as from the lens, the input
    // is asked for; the panel then shows the real model (no longer greyed, with its engine).
    await webview.locator('body').evaluate((body) => {
      const statuses: string[] = [];
      (window as unknown as { statuses: string[] }).statuses = statuses;
      new MutationObserver(() => {
        const status = document.querySelector('.status')?.textContent ?? '';
        if (status && statuses[statuses.length - 1] !== status) statuses.push(status);
      }).observe(body, { subtree: true, childList: true, characterData: true, attributes: true });
    });
    await cancelledLine.locator('#status-retry', { hasText: 'Load again' }).click();
    await webview.locator('.status.busy #status-cancel').waitFor({ timeout: 30_000 });
    await waitForQuickPickItem(page, (l) => l.endsWith('.png'), 600_000);
    await page.keyboard.press('Escape');
    await webview.locator('#backend').waitFor({ timeout: 60_000 });
    await webview.locator('.status.busy').waitFor({ state: 'detached', timeout: 60_000 });
    await screenshot('cold-vgg16-loaded-again');
    const statuses = await webview
      .locator('body')
      .evaluate(() => (window as unknown as { statuses: string[] }).statuses);
    assert.ok(
      statuses.some((s) => /^Loading vgg16: Built 22 layers/.test(s)),
      statuses.join(' | '),
    );
    assert.equal(await webview.locator('#layer-list.pending').count(), 0);
    assert.equal(await webview.locator('#layer-list tbody tr').count(), 22);
    assert.equal(await webview.locator('.status[data-kind="cancelled"]').count(), 0);
  });
});
