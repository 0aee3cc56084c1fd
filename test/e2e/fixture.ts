// Shared e2e fixture: one Chromium page showing the code-server workbench that test/run-code-server.mjs
// started with the extension under development. Tests get it with workbenchPage().
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { chromium, type Browser, type Page } from 'playwright-core';
import { runCommand } from './workbench';

let browser: Browser | undefined;
let page: Page | undefined;
let screenshotCount = 0;

function requiredEnv(name: string): string {
  const value = process.env[name];
  if (!value)
    throw new Error(
      `${name} is not set: run the e2e tests with \`node test/run-code-server.mjs e2e\``,
    );
  return value;
}

export const artifactsDir = (): string =>
  process.env.CNN_E2E_ARTIFACTS ?? join(process.cwd(), '.test-artifacts');

export function workbenchPage(): Page {
  if (!page) throw new Error('the e2e fixture has no page: did its beforeAll hook fail?');
  return page;
}

/** Saves .test-artifacts/screenshots/e2e-<nn>-<name>.png and returns its path. */
export async function screenshot(name: string): Promise<string> {
  const dir = join(artifactsDir(), 'screenshots');
  mkdirSync(dir, { recursive: true });
  screenshotCount += 1;
  const file = join(dir, `e2e-${String(screenshotCount).padStart(2, '0')}-${name}.png`);
  await workbenchPage().screenshot({ path: file });
  return file;
}

/** Adds a timing to .test-artifacts/ui-figures.json and prints it (read by scripts/bench-ui.sh). */
export async function recordFigure(name: string, value: number): Promise<void> {
  const file = join(artifactsDir(), 'ui-figures.json');
  mkdirSync(artifactsDir(), { recursive: true });
  const figures = existsSync(file)
    ? (JSON.parse(readFileSync(file, 'utf8')) as Record<string, number>)
    : {};
  figures[name] = value;
  writeFileSync(file, `${JSON.stringify(figures, null, 2)}\n`);
  console.log(`      figure: ${name} = ${value}`);
}

export const mochaHooks = {
  async beforeAll(this: Mocha.Context): Promise<void> {
    this.timeout(120_000);
    browser = await chromium.connect(requiredEnv('CNN_E2E_WS_ENDPOINT'));
    const context = await browser.newContext({ viewport: { width: 1400, height: 900 } });
    page = await context.newPage();
    page.on('pageerror', (e) => console.log(`[page error] ${e.message}`));
    // The workbench's first load fetches several MB of scripts; on a loaded shared machine that
    // takes longer than Playwright's default 30 s (what is tested starts after it).
    await page.goto(requiredEnv('CNN_E2E_WORKBENCH_URL'), { timeout: 120_000 });
    // The workbench is usable once the explorer shows the workspace folder.
    await page.locator('.monaco-workbench').waitFor({ state: 'visible', timeout: 60_000 });
    await page
      .locator('.explorer-folders-view .monaco-list-row')
      .first()
      .waitFor({ timeout: 60_000 });
    await screenshot('workbench');
  },
  /** Every test starts from an empty editor area: tests share one workbench page. */
  async beforeEach(this: Mocha.Context): Promise<void> {
    this.timeout(120_000);
    const current = workbenchPage();
    for (let i = 0; i < 3; i++) await current.keyboard.press('Escape');
    await runCommand(current, 'View: Close All Editors');
    await current
      .locator('.editor-group-container .tab')
      .first()
      .waitFor({ state: 'detached', timeout: 30_000 })
      .catch(() => undefined);
  },
  async afterAll(this: Mocha.Context): Promise<void> {
    this.timeout(30_000);
    if (page) await screenshot('final').catch(() => undefined);
    await browser?.close();
    browser = undefined;
    page = undefined;
  },
};
