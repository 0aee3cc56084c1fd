// The everyday loop through the UI: edit the model file, save, look at the panel again — when the
// save breaks the model (an empty layer output, a file that spins), and when a later save fixes it.
import * as assert from 'node:assert/strict';
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { FrameLocator, Page } from 'playwright-core';
import { screenshot, workbenchPage } from './fixture';
import { extensionErrorToasts, openPanelFromPalette, runCommand } from './workbench';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const repoRoot = join(__dirname, '..', '..');
const folder = join(repoRoot, 'examples', '.e2e-edit-loop');
const modelFile = join(folder, 'editloop.ts');

/**
 * LeNet-5's architecture (examples/lenet.ts, untrained) as the default export of `editloop.ts`,
 * with a knob that makes building it spin for `spinSeconds`: the edits below change numbers only.
 */
function editLoopSource(): string {
  const lenet = readFileSync(join(repoRoot, 'examples', 'lenet.ts'), 'utf8');
  const untrained = lenet.slice(0, lenet.indexOf('/** LeNet-5 with the trained'));
  const source = untrained.replace(
    'export function lenetUntrained(): tf.LayersModel {',
    [
      'export default function editloop(): tf.LayersModel {',
      '  const spinSeconds = 0;',
      '  const until = Date.now() + spinSeconds * 1000;',
      '  while (Date.now() < until) {',
      '    // a model file that takes too long',
      '  }',
    ].join('\n'),
  );
  assert.notEqual(source, untrained, 'examples/lenet.ts changed: update editLoopSource()');
  return source;
}

/** 1-based line of the first line containing `text`, after the line containing `after`. */
function lineOf(text: string, after = ''): number {
  const lines = readFileSync(modelFile, 'utf8').split('\n');
  const start = lines.findIndex((l) => l.includes(after));
  return lines.findIndex((l, i) => i >= start && l.includes(text)) + 1;
}

/** Focuses the model file's editor at `line` (Go to Line centres it). */
async function goToLine(page: Page, line: number): Promise<void> {
  await runCommand(page, 'View: Focus First Editor Group');
  await page.keyboard.press('Control+G');
  await page.keyboard.type(String(line));
  await page.keyboard.press('Enter');
}

/**
 * Replaces the number just before the end of `line` (its last character is `,` or `;`) with
 * `value` and saves: typing digits only, so no suggestion widget gets in the way.
 */
async function setNumberAndSave(page: Page, line: number, value: number): Promise<void> {
  await goToLine(page, line);
  await page.keyboard.press('End');
  await page.keyboard.press('ArrowLeft');
  await page.keyboard.press('Control+Shift+ArrowLeft');
  await page.keyboard.type(String(value));
  await page.keyboard.press('Control+S');
}

async function conv2Shape(webview: FrameLocator): Promise<string> {
  const cells = webview.locator('#layer-list tr[data-layer="conv2"] td');
  return ((await cells.nth(2).textContent()) ?? '').trim();
}

async function waitUntil(what: string, timeoutMs: number, ok: () => Promise<boolean>) {
  const deadline = Date.now() + timeoutMs;
  while (!(await ok())) {
    if (Date.now() > deadline) {
      await screenshot(`timeout-${what.replace(/\W+/g, '-')}`);
      throw new Error(`timed out after ${timeoutMs / 1000} s waiting for ${what}`);
    }
    await sleep(250);
  }
}

describe('CNN Inspector: edit, save, see, through the UI', () => {
  before(() => {
    mkdirSync(folder, { recursive: true });
    writeFileSync(modelFile, editLoopSource());
  });
  after(() => rmSync(folder, { recursive: true, force: true }));

  it('shows a breaking save at its line over the stale maps, and a later fix supersedes a stuck run', async function () {
    // Five saves and runs in a row, each bounded by its own wait below.
    this.timeout(420_000);
    const page = workbenchPage();
    const rows = page.locator('.explorer-folders-view .monaco-list-row');
    const folderRow = rows.filter({ hasText: /^\.e2e-edit-loop$/ });
    // The explorer learns of the new folder from a file watcher: refresh it if that is slow.
    await waitUntil('the folder in the explorer', 60_000, async () => {
      if (await folderRow.isVisible()) return true;
      await runCommand(page, 'Refresh Explorer');
      await sleep(1000);
      return folderRow.isVisible();
    });
    await folderRow.click();
    await rows.filter({ hasText: /^editloop\.ts$/ }).click({ timeout: 30_000 });
    await page.locator('.tab.active', { hasText: 'editloop.ts' }).waitFor({ timeout: 30_000 });
    const webview = await openPanelFromPalette(page, 'editloop', 'conv2', '000-ankle-boot.png');
    const drawn = webview.locator('#feature-grid .tile[data-drawn="true"]');
    await drawn.first().waitFor({ timeout: 120_000 });
    assert.equal(await conv2Shape(webview), '10×10×16');
    const error = webview.locator('#panel-error');
    const stale = webview.locator('.body[data-stale="true"]');

    // 1 + 3. conv2's 15x15 kernel does not fit its 14x14 input: the output is empty. The panel
    // says so at once, at conv2's line, and keeps the last good maps, marked stale.
    const kernelLine = lineOf('kernelSize: 5', "name: 'conv2'");
    const conv2Line = lineOf('tf.layers.conv2d', 'kernelInitializer: seeded(1)');
    await setNumberAndSave(page, kernelLine, 15);
    await error.waitFor({ state: 'visible', timeout: 60_000 });
    const message = (await error.textContent()) ?? '';
    assert.match(message, /conv2/);
    assert.match(message, /0×0×16|0x0x16/);
    assert.match(message, new RegExp(`editloop\\.ts:${conv2Line}(?!\\d)`), message);
    await stale.waitFor({ timeout: 10_000 });
    assert.ok((await drawn.count()) > 0, 'the last good maps stay on screen');
    await sleep(1500); // the end of the failed run must not clear the error
    assert.ok(await error.isVisible(), 'the error stays until a save works');
    await screenshot('edit-loop-empty-output-error');

    // 2. A save that makes the model file spin, then the fix before that run ends: the fix wins,
    // long before the stuck run's timeout, and the panel ends on the fixed file.
    await setNumberAndSave(page, kernelLine, 5);
    await waitUntil('the fixed model', 60_000, async () => !(await error.isVisible()));
    const spinLine = lineOf('const spinSeconds');
    await setNumberAndSave(page, spinLine, 300);
    await sleep(3000); // the worker is now spinning in the model file
    await setNumberAndSave(page, spinLine, 0);
    await waitUntil('the panel on the fixed file', 60_000, async () => {
      const status = (await webview.locator('.status').textContent()) ?? '';
      return !(await error.isVisible()) && !/Loading|Running/.test(status);
    });
    assert.equal(await conv2Shape(webview), '10×10×16');
    assert.equal(await stale.count(), 0, 'the maps are current again');
    await drawn.first().waitFor({ timeout: 30_000 });
    const toasts = await extensionErrorToasts(page);
    assert.deepEqual(
      toasts.filter((t) => /conv2/.test(t)),
      [],
      'the panel showed the error: no toast repeats it',
    );
    await screenshot('edit-loop-fixed');

    // 4. A changed layer: the lenses in the editor show the new run's facts, never the old ones.
    // conv2 with 8 filters: 10x10x8, 5*5*6*8 + 8 = 1,208 params; fc1 200*120 + 120 = 24,120;
    // total 156 + 1,208 + 24,120 + 10,164 + 850 = 36,498 (36.5k).
    await setNumberAndSave(page, lineOf('filters: 16', "name: 'conv2'"), 8);
    await waitUntil(
      'conv2 with 8 filters',
      60_000,
      async () => (await conv2Shape(webview)) === '10×10×8',
    );
    // VS Code renders lenses in view only: look at the layer's line, then at the model's.
    const lensTexts = () => page.locator('.codelens-decoration').allTextContents();
    const lensAt = async (line: number, expected: string) => {
      await goToLine(page, line);
      await waitUntil(`the lens "${expected}"`, 30_000, async () =>
        (await lensTexts()).some((t) => t.includes(expected)),
      );
    };
    await lensAt(lineOf("name: 'conv2'"), '10x10x8 \u00b7 1,208 params');
    await lensAt(lineOf('export default function'), '8 layers \u00b7 36.5k params');
    const texts = await lensTexts();
    assert.ok(!texts.some((t) => /2,416 params|61\.7k/.test(t)), texts.join(' | '));
    await screenshot('edit-loop-lenses-follow');
  });
});
