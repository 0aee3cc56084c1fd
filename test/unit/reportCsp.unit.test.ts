// The HTML report under its Content-Security-Policy in headless Chromium (a file page, no
// workbench needed): the report's own script and styles run (hash sources), nothing else does, and
// the real report causes no violation.
import * as assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { Browser, Page } from 'playwright-core';
import { ensureBuilt, repoRoot } from './helpers/build';

let browser: Browser;

async function openReport(file: string): Promise<{ page: Page; violations: string[] }> {
  const page = await browser.newPage();
  const violations: string[] = [];
  page.on('console', (m) => {
    if (/Content Security Policy/i.test(m.text())) violations.push(m.text());
  });
  await page.goto(pathToFileURL(file).href);
  await page
    .locator('#feature-grid .tile[data-drawn="true"]')
    .first()
    .waitFor({ state: 'visible', timeout: 60_000 });
  return { page, violations };
}

describe('HTML report CSP in Chromium', function () {
  this.timeout(120_000);
  const dir = mkdtempSync(join(tmpdir(), 'cnn-report-csp-'));
  const report = join(dir, 'report.html');

  before(async () => {
    ensureBuilt();
    const harness = (await import(join(repoRoot, 'test', 'harness', 'chromium.mjs'))) as {
      launchChromium(): Promise<Browser>;
    };
    browser = await harness.launchChromium();
    execFileSync(process.execPath, [
      join(repoRoot, 'dist', 'cli.js'),
      'report',
      join(repoRoot, 'examples', 'lenet.ts'),
      '--image',
      join(repoRoot, 'examples', 'images', 'fashion-mnist', '000-ankle-boot.png'),
      '--out',
      report,
      '--backend',
      'cpu',
    ]);
  });

  after(async () => {
    await browser?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('runs the report with its own script and styles and no violation', async () => {
    const { page, violations } = await openReport(report);
    try {
      // The stylesheet applied (a hashed <style>): the grid is laid out, not a bare list.
      const display = await page
        .locator('#feature-grid')
        .evaluate((e) => getComputedStyle(e).display);
      assert.equal(display, 'grid');
      // Every tab draws under the policy (charts, tables, projections, filters).
      for (const tab of ['Structure', 'Gallery', 'Why', 'Feature maps']) {
        await page.getByRole('tab', { name: tab }).click();
        await page.waitForTimeout(300);
      }
      await page.screenshot({ path: join(dir, 'report.png') });
      assert.deepEqual(violations, []);
    } finally {
      await page.close();
    }
  });

  it('moves between the tabs with the keyboard (ARIA tabs: arrows, Home, End, one tab stop)', async () => {
    const { page } = await openReport(report);
    try {
      const tabs = page.getByRole('tab');
      assert.deepEqual(await tabs.allTextContents(), [
        'Feature maps',
        'Structure',
        'Gallery',
        'Why',
      ]);
      const state = () =>
        page.$$eval('[role="tab"]', (buttons) =>
          buttons.map((b) => `${b.id}:${b.getAttribute('aria-selected')}:${b.tabIndex}`),
        );
      await page.locator('#tab-feature-maps').focus();
      await page.keyboard.press('ArrowRight');
      assert.deepEqual(await state(), [
        'tab-feature-maps:false:-1',
        'tab-structure:true:0',
        'tab-gallery:false:-1',
        'tab-why:false:-1',
      ]);
      assert.equal(await page.evaluate(() => document.activeElement?.id), 'tab-structure');
      assert.equal(await page.locator('#structure-view').isVisible(), true);
      assert.equal(await page.locator('#feature-view').isVisible(), false);
      await page.keyboard.press('End');
      assert.equal(await page.evaluate(() => document.activeElement?.id), 'tab-why');
      assert.equal(await page.locator('#why-view').isVisible(), true);
      await page.keyboard.press('ArrowRight'); // wraps to the first
      await page.keyboard.press('ArrowLeft'); // and back to the last
      await page.keyboard.press('Home');
      assert.equal(await page.evaluate(() => document.activeElement?.id), 'tab-feature-maps');
      assert.equal(await page.locator('#tab-feature-maps').getAttribute('aria-selected'), 'true');
      // Each tab names the panel it controls, and the panel names its tab.
      for (const id of ['feature-maps', 'structure', 'gallery', 'why']) {
        const panel = await page.locator(`#tab-${id}`).getAttribute('aria-controls');
        assert.equal(await page.locator(`#${panel}`).getAttribute('role'), 'tabpanel');
        assert.equal(await page.locator(`#${panel}`).getAttribute('aria-labelledby'), `tab-${id}`);
      }
    } finally {
      await page.close();
    }
  });

  it('blocks a script, an event handler and a style slipped into the report', async () => {
    const tampered = join(dir, 'tampered.html');
    const injected =
      '<script>document.title = "pwned-script"</script>' +
      '<img src="data:," onerror="document.title = \'pwned-handler\'">' +
      '<style>body { visibility: hidden }</style>';
    writeFileSync(
      tampered,
      readFileSync(report, 'utf8').replace('<div id="app"', `${injected}<div id="app"`),
    );
    const { page, violations } = await openReport(tampered);
    try {
      assert.doesNotMatch(await page.title(), /pwned/);
      assert.equal(
        await page.evaluate(() => getComputedStyle(document.body).visibility),
        'visible',
      );
      assert.ok(violations.length >= 3, `violations: ${violations.join('\n')}`);
    } finally {
      await page.close();
    }
  });
});
