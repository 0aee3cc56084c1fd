// A gallery made on "a cluster" (here: `cnn-inspector gallery` in a temporary folder away from
// the images), opened at the desk through the Gallery tab's "Open gallery file...": the patches
// are found in the chosen image folder, the unit health table shows the file's statistics, sorts
// on a click, and a click on a unit brings its gallery into view.
import * as assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { screenshot, workbenchPage } from './fixture';
import { activeWebview, canvasColourCounts, openPanelFromPalette } from './workbench';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const repo = join(__dirname, '..', '..');
const fashion = join(repo, 'examples', 'images', 'fashion-mnist');

interface Stats {
  unit: number;
  images: number;
  imagesPositive: number;
  positions: number;
  positionsPositive: number;
}

/** Types a path into code-server's file dialog (a quick input) with this title and accepts it. */
async function answerFileDialog(title: string, path: string): Promise<void> {
  const page = workbenchPage();
  await page
    .locator('.quick-input-widget .quick-input-title', { hasText: title })
    .waitFor({ state: 'visible', timeout: 30_000 });
  const input = page.locator('.quick-input-widget .quick-input-box input');
  await sleep(1500); // the dialog fills in its starting folder asynchronously
  await input.fill(path);
  await sleep(1500);
  await page.locator('.quick-input-widget .monaco-button', { hasText: 'OK' }).click();
  await sleep(1000);
  // A folder path may only have opened the folder inside the dialog: then accept it.
  const sameDialog = page.locator('.quick-input-widget .quick-input-title', { hasText: title });
  if (await sameDialog.isVisible()) await page.keyboard.press('Enter');
}

describe('CNN Inspector: a gallery file opened in the Gallery tab, through the UI', () => {
  let dir: string;
  let galleryFile: string;
  let stats: Stats[];
  before(function () {
    this.timeout(300_000);
    dir = mkdtempSync(join(tmpdir(), 'gallery-file-e2e-'));
    galleryFile = join(dir, 'gallery.json');
    const run = spawnSync(
      process.execPath,
      [
        join(repo, 'dist', 'cli.js'),
        'gallery',
        join(repo, 'examples', 'lenet.ts'),
        '--folder',
        fashion,
        '--layer',
        'pool2',
        '--workers',
        '1',
        '--out',
        galleryFile,
      ],
      { encoding: 'utf8', timeout: 280_000 },
    );
    assert.equal(run.status, 0, run.stderr);
    stats = JSON.parse(readFileSync(galleryFile, 'utf8')).unitStats;
  });
  after(async () => {
    rmSync(dir, { recursive: true, force: true });
    await activeWebview(workbenchPage())
      .locator('#tab-feature-maps')
      .click({ timeout: 5000 })
      .catch(() => undefined);
  });

  it('shows the patches from the chosen folder and the unit health, sortable, linked to the galleries', async function () {
    this.timeout(400_000);
    const page = workbenchPage();
    const webview = await openPanelFromPalette(page, 'lenet', 'pool2');
    await webview.locator('#input-image, #input-frame').first().waitFor({ timeout: 120_000 });
    await page.keyboard.press('Escape');
    await webview.locator('#tab-gallery').click();
    await webview.locator('#gallery-open-file').click();
    await answerFileDialog('Gallery file', galleryFile);
    await screenshot('gallery-file-folder-dialog');
    await answerFileDialog("Folder of the gallery's images", `${fashion}/`);

    const health = webview.locator('#gallery-unit-health');
    await health.locator('tbody tr').first().waitFor({ timeout: 120_000 });
    const patches = webview.locator('#gallery-folder .patch-tile canvas.crop[data-drawn="true"]');
    await patches.nth(8).waitFor({ timeout: 120_000 });
    await sleep(1000);
    await screenshot('gallery-file-opened');

    // The summary counts what the file says, worked out here from its statistics.
    const dead = stats.filter((s) => s.imagesPositive === 0).length;
    const alwaysOn = stats.filter((s) => s.positionsPositive === s.positions).length;
    assert.equal(
      (await health.locator('summary').textContent())?.trim(),
      `Unit health over 300 images: ${dead} dead, ${alwaysOn} always on, of 16 units`,
    );
    assert.match(
      (await webview.locator('.gallery-folder-header .gallery-facts').textContent()) ?? '',
      new RegExp(`gallery\\.json · images in ${fashion.replace(/[/.]/g, '\\$&')}`),
    );
    // Patches come from the chosen folder: every crop of the first unit shows a picture.
    const colours = await canvasColourCounts(
      webview.locator('#gallery-folder .unit-gallery').first().locator('canvas.crop'),
    );
    assert.equal(colours.length, 9);
    assert.ok(
      colours.every((n) => n > 1),
      `crops: ${colours.join(', ')}`,
    );

    // Sorting by "Positions > 0" puts the units that fire most often first.
    await health.locator('th[data-key="positions"]').click();
    const order = await health
      .locator('tbody tr')
      .evaluateAll((rows) => rows.map((r) => Number(r.getAttribute('data-unit'))));
    const expected = [...stats]
      .sort(
        (a, b) =>
          b.positionsPositive / b.positions - a.positionsPositive / a.positions || a.unit - b.unit,
      )
      .map((s) => s.unit);
    assert.deepEqual(order, expected);
    assert.equal(
      await health.locator('th[data-key="positions"]').getAttribute('aria-sort'),
      'descending',
    );
    await screenshot('gallery-file-health-sorted');

    // A click on the unit that fires least often opens (scrolls to and marks) its gallery.
    const rarest = expected[expected.length - 1];
    await health.locator(`tbody tr[data-unit="${rarest}"]`).click();
    const row = webview.locator(`#gallery-folder .unit-gallery[data-unit="${rarest}"]`);
    await row.and(webview.locator('.highlight')).waitFor({ timeout: 10_000 });
    assert.ok(await row.isVisible());
    const box = await row.boundingBox();
    assert.ok(box && box.y >= 0 && box.y < 900, `the unit's gallery is in view (y ${box?.y})`);
    await sleep(500);
    await screenshot('gallery-file-unit-gallery');
  });
});
