// A new user's first minutes, in a workspace of their own: an empty folder shows the models view's
// welcome, whose "New model file" writes LeNet-5 and shows it in the panel; the walkthrough opens
// and its first step's command writes a second model that visualizes too; its last step's
// command ("Ask why") opens the panel on the Why tab.
// This test starts its own code-server on an empty folder (the shared one shows examples/).
import * as assert from 'node:assert/strict';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium, type Browser, type Page } from 'playwright-core';
import { artifactsDir } from './fixture';
import {
  activeWebview,
  canvasColourCounts,
  pickQuickItem,
  runCommand,
  throwOnExtensionError,
  waitForQuickPickItem,
} from './workbench';

const repoRoot = join(__dirname, '..', '..');

interface CodeServer {
  workbenchUrl(payload: Record<string, string>): string;
  stop(): Promise<void>;
}

let shots = 0;
async function shot(page: Page, name: string): Promise<void> {
  shots += 1;
  const file = join(artifactsDir(), 'screenshots', `first-run-${shots}-${name}.png`);
  await page.screenshot({ path: file });
}

/** The panel shows this model: its header names it and the total parameter count. */
async function waitForPanel(
  page: Page,
  modelName: string,
  params: string,
  channels: number,
): Promise<void> {
  const frame = activeWebview(page);
  const deadline = Date.now() + 150_000;
  while (Date.now() < deadline) {
    await throwOnExtensionError(page, `while ${modelName} loads`);
    const header = await frame
      .locator('body')
      .innerText({ timeout: 2000 })
      .catch(() => '');
    if (header.includes(modelName) && header.includes(params)) break;
    await new Promise((r) => setTimeout(r, 500));
  }
  const text = await frame.locator('body').innerText();
  assert.ok(text.includes(modelName), `panel does not name ${modelName}: ${text.slice(0, 200)}`);
  assert.ok(text.includes(params), `panel does not show ${params} parameters`);
  // The first layer's feature maps are drawn: one tile per channel, pictures and not blanks
  // (tiles are painted as they scroll into view, so the first six are waited for).
  const tiles = frame.locator('#feature-grid .tile');
  await frame
    .locator('#feature-grid .tile[data-drawn="true"]')
    .nth(Math.min(channels, 6) - 1)
    .waitFor({ timeout: 120_000 });
  assert.equal(await tiles.count(), channels, `the first convolution has ${channels} filters`);
  const colours = await canvasColourCounts(frame.locator('#feature-grid .tile canvas'));
  assert.ok(
    colours.some((c) => c > 1),
    `every feature map is a single colour: ${JSON.stringify(colours)}`,
  );
}

describe('CNN Inspector: first run in an empty folder, through the UI', function () {
  this.timeout(420_000);
  let folder: string;
  let server: CodeServer;
  let browser: Browser;
  let page: Page;

  before(async function () {
    this.timeout(180_000);
    folder = mkdtempSync(join(tmpdir(), 'cnn-inspector-empty-'));
    const harness = (await import(join(repoRoot, 'test', 'harness', 'code-server.mjs'))) as {
      startCodeServer(o: { folder: string; log: (t: string) => void }): Promise<CodeServer>;
    };
    server = await harness.startCodeServer({ folder, log: () => {} });
    browser = await chromium.connect(process.env.CNN_E2E_WS_ENDPOINT!);
    const context = await browser.newContext({ viewport: { width: 1400, height: 900 } });
    page = await context.newPage();
    // A second workbench on a machine shared with other runs: its first load can be slow.
    await page.goto(server.workbenchUrl({ extensionDevelopmentPath: repoRoot }), {
      timeout: 120_000,
    });
    await page.locator('.monaco-workbench').waitFor({ state: 'visible', timeout: 60_000 });
  });

  after(async function () {
    this.timeout(60_000);
    await page?.context().close();
    await browser?.close();
    await server?.stop();
    if (folder) rmSync(folder, { recursive: true, force: true });
  });

  it("shows the models view's welcome, and its New model file writes LeNet-5 that visualizes", async () => {
    const pane = page.locator('.pane', {
      has: page.locator('.pane-header', { hasText: /cnn inspector/i }),
    });
    const header = pane.locator('.pane-header').first();
    await header.waitFor({ timeout: 60_000 });
    if ((await header.getAttribute('aria-expanded')) !== 'true') await header.click();
    const welcome = pane.locator('.welcome-view-content');
    await welcome.getByText('No model file in this workspace').waitFor({ timeout: 90_000 });
    await shot(page, 'welcome-view');
    await welcome.getByRole('button', { name: 'New model file' }).click();
    await waitForQuickPickItem(page, (l) => l === 'LeNet-5');
    await shot(page, 'template-pick');
    await pickQuickItem(page, 'LeNet-5');
    await waitForPanel(page, 'lenet5', '61,706', 6);
    await shot(page, 'lenet-template-panel');
    assert.ok(existsSync(join(folder, 'lenet.ts')));
    assert.ok(existsSync(join(folder, 'images', 'ankle-boot-28.png')));
    // The view now lists the new file instead of the welcome.
    await pane
      .locator('.monaco-list-row .label-name', { hasText: /^lenet\.ts$/ })
      .waitFor({ timeout: 60_000 });
  });

  it("opens the walkthrough, whose first step's command writes a CIFAR network that visualizes", async () => {
    await runCommand(page, 'View: Close All Editors');
    await runCommand(page, 'Welcome: Open Walkthrough...');
    await waitForQuickPickItem(page, (l) => l === 'Look inside a CNN with CNN Inspector');
    await pickQuickItem(page, 'Look inside a CNN with CNN Inspector');
    const walkthrough = page.locator('.gettingStartedContainer');
    await walkthrough.getByText('Open or create a model file').first().waitFor({ timeout: 60_000 });
    for (const step of [
      'Visualize a layer',
      "Hover a unit's receptive field",
      'Build a gallery',
      'Ask why a unit fires',
    ]) {
      assert.ok(await walkthrough.getByText(step).first().isVisible(), `step "${step}" missing`);
    }
    // The step's picture is the packaged one (a broken image has no natural width).
    const picture = walkthrough.locator('.getting-started-media img').first();
    await picture.waitFor({ timeout: 30_000 });
    const width = await picture.evaluate((img) => (img as HTMLImageElement).naturalWidth);
    assert.ok(width > 100, `the first step's picture did not load (width ${width})`);
    await shot(page, 'walkthrough');
    await walkthrough.getByRole('button', { name: 'New model file' }).first().click();
    await waitForQuickPickItem(page, (l) => l === 'Small CIFAR-10 network');
    await pickQuickItem(page, 'Small CIFAR-10 network');
    await waitForPanel(page, 'small_cifar_net', '591,274', 32);
    await shot(page, 'cifar-template-panel');
    assert.ok(existsSync(join(folder, 'small-cifar-net.ts')));
    // The last step's command opens the panel on the Why tab, for the model and layer picked.
    await runCommand(page, 'Welcome: Open Walkthrough...');
    await waitForQuickPickItem(page, (l) => l === 'Look inside a CNN with CNN Inspector');
    await pickQuickItem(page, 'Look inside a CNN with CNN Inspector');
    await walkthrough.getByText('Ask why a unit fires').first().click();
    await walkthrough.getByRole('button', { name: 'Ask why', exact: true }).first().click();
    await waitForQuickPickItem(page, (l) => l === 'small-cifar-net');
    await pickQuickItem(page, 'small-cifar-net');
    await waitForQuickPickItem(page, (l) => l === 'block2_conv2', 120_000);
    await pickQuickItem(page, 'block2_conv2');
    const frame = activeWebview(page);
    await frame.locator('#tab-why[aria-selected="true"]').waitFor({ timeout: 120_000 });
    const why = frame.locator('#why-view');
    await why.waitFor({ state: 'visible', timeout: 60_000 });
    await frame
      .locator('#why-class-gradcam-overlay[data-drawn="true"]')
      .waitFor({ timeout: 120_000 });
    assert.equal(await frame.locator('#feature-view').isVisible(), false, 'the maps are hidden');
    await shot(page, 'ask-why');
  });
});
