// Driving the VS Code workbench like a person: command palette, quick picks, webviews.
import type { FrameLocator, Locator, Page } from 'playwright-core';

const QUICK_INPUT = '.quick-input-widget';
const QUICK_ROWS = `${QUICK_INPUT} .quick-input-list .monaco-list-row`;

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

function quickInput(page: Page): Locator {
  return page.locator(QUICK_INPUT);
}

/** Labels of the quick pick rows currently rendered (the list is virtualised: filter to reach others). */
export async function quickPickLabels(page: Page): Promise<string[]> {
  if (!(await quickInput(page).isVisible())) return [];
  const labels = await page.locator(`${QUICK_ROWS} .label-name`).allTextContents();
  return labels.map((l) => l.trim());
}

/**
 * F1, type the command's title, Enter. The palette lists the commands registered when it opened, so
 * while the extension host is still starting the entry can be missing: close it and try again.
 */
export async function runCommand(page: Page, title: string, timeoutMs = 90_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let seen: string[] = [];
  while (Date.now() < deadline) {
    await page.keyboard.press('F1');
    const input = page.locator(`${QUICK_INPUT} .quick-input-box input`);
    try {
      await input.waitFor({ state: 'visible', timeout: 10_000 });
      await input.fill(`>${title}`, { timeout: 10_000 });
    } catch {
      // The palette closed under us (a clean-clone CI run saw it close between opening and
      // typing, after the theme test, as focus moved): open it again.
      await sleep(1000);
      continue;
    }
    await sleep(300); // the list filters asynchronously
    seen = await quickPickLabels(page);
    if (seen[0] === title) {
      await page.keyboard.press('Enter'); // the first row is focused after filtering
      return;
    }
    if (seen.includes(title)) {
      await pickQuickItem(page, title);
      return;
    }
    await page.keyboard.press('Escape');
    await sleep(1000);
  }
  throw new Error(
    `command "${title}" never appeared in the command palette (last rows: ${JSON.stringify(seen)})`,
  );
}

/** Messages of the error toasts our extension is showing (source "CNN Inspector"). */
export async function extensionErrorToasts(page: Page): Promise<string[]> {
  const items = page
    .locator('.notification-toast .notification-list-item')
    .filter({ has: page.locator('.codicon-error') })
    .filter({ has: page.locator('.notification-list-item-source', { hasText: 'CNN Inspector' }) });
  return (await items.locator('.notification-list-item-message').allTextContents()).map((t) =>
    t.trim(),
  );
}

/** Fails at once when the extension reports an error, rather than at the end of a long wait. */
export async function throwOnExtensionError(page: Page, during: string): Promise<void> {
  const errors = await extensionErrorToasts(page);
  if (errors.length)
    throw new Error(`the extension showed an error ${during}: ${errors.join(' | ')}`);
}

/** Waits until a quick pick shows a row matching `match` (by its label) and returns that label. */
export async function waitForQuickPickItem(
  page: Page,
  match: (label: string) => boolean,
  timeoutMs = 90_000,
): Promise<string> {
  const deadline = Date.now() + timeoutMs;
  let seen: string[] = [];
  while (Date.now() < deadline) {
    seen = await quickPickLabels(page);
    const found = seen.find(match);
    if (found !== undefined) return found;
    await throwOnExtensionError(page, 'while waiting for a quick pick');
    await sleep(250);
  }
  throw new Error(
    `no matching quick pick item within ${timeoutMs} ms (last rows: ${JSON.stringify(seen)})`,
  );
}

/** Selects the quick pick row whose label is exactly `label`. */
export async function pickQuickItem(page: Page, label: string): Promise<void> {
  const rows = page.locator(QUICK_ROWS);
  const count = await rows.count();
  for (let i = 0; i < count; i++) {
    const text = (await rows.nth(i).locator('.label-name').first().textContent())?.trim();
    if (text === label) {
      await rows.nth(i).click();
      return;
    }
  }
  throw new Error(
    `quick pick has no row labelled "${label}" (rows: ${JSON.stringify(await quickPickLabels(page))})`,
  );
}

/** The content frame of the active webview (VS Code nests it two iframes deep). */
export function activeWebview(page: Page): FrameLocator {
  return page.frameLocator('iframe.webview.ready').frameLocator('#active-frame');
}

export function webviewIsShown(page: Page): Promise<boolean> {
  return page.locator('iframe.webview.ready').first().isVisible();
}

/**
 * "Visualize layer" from the palette: model, then layer, then an image (the first .png listed,
 * or the one whose label is `image`, typed to filter the list), until the panel is shown.
 * `onStep` runs after each step (a screenshot); `lastPickAt` is when the user's last pick was
 * made, from which on the work is the extension's.
 */
export async function visualizeFromPalette(
  page: Page,
  model: string,
  layer: string,
  options: { image?: string; onStep?: (step: string) => Promise<unknown> } = {},
): Promise<{ webview: FrameLocator; lastPickAt: number }> {
  const { image } = options;
  const step = async (name: string) => void (await options.onStep?.(name));
  await runCommand(page, 'CNN Inspector: Visualize layer');
  await step('palette-ran');
  await waitForQuickPickItem(page, (l) => l === model);
  await step('model-pick');
  await pickQuickItem(page, model);
  // Listing the layers means building the model in the worker: give it time.
  await waitForQuickPickItem(page, (l) => l === layer, 180_000);
  await step('layer-pick');
  await pickQuickItem(page, layer);
  let lastPickAt = Date.now();
  if (image) {
    await waitForQuickPickItem(page, (l) => l.endsWith('.png'), 60_000);
    await page.keyboard.type(image.replace(/\.png$/, ''));
    await waitForQuickPickItem(page, (l) => l === image, 30_000);
    await step('image-pick');
    await pickQuickItem(page, image);
    lastPickAt = Date.now();
  }
  // The extension may ask for an image, unless a default image is configured.
  const deadline = Date.now() + 180_000;
  while (!(await webviewIsShown(page))) {
    if (Date.now() > deadline) throw new Error('no webview appeared within 180 s');
    await throwOnExtensionError(page, 'after the layer was picked');
    const png = (await quickPickLabels(page)).find((l) => l.toLowerCase().endsWith('.png'));
    if (png && !image) {
      await step('image-pick');
      await pickQuickItem(page, png);
      lastPickAt = Date.now();
    }
    await sleep(500);
  }
  await step('panel-opened');
  return { webview: activeWebview(page), lastPickAt };
}

/** "Visualize layer" from the palette (see visualizeFromPalette): the panel's frame. */
export async function openPanelFromPalette(
  page: Page,
  model: string,
  layer: string,
  image?: string,
): Promise<FrameLocator> {
  return (await visualizeFromPalette(page, model, layer, { image })).webview;
}

/** Distinct colours of each canvas (copied onto a 2-D canvas), to tell a drawn picture from a blank one. */
export function canvasColourCounts(canvases: Locator): Promise<number[]> {
  return canvases.evaluateAll((els) =>
    (els as HTMLCanvasElement[]).map((canvas) => {
      const copy = document.createElement('canvas');
      copy.width = canvas.width;
      copy.height = canvas.height;
      const ctx = copy.getContext('2d');
      if (!ctx || !canvas.width || !canvas.height) return 0;
      ctx.drawImage(canvas, 0, 0);
      const data = ctx.getImageData(0, 0, copy.width, copy.height).data;
      const colours = new Set<number>();
      for (let i = 0; i < data.length; i += 4)
        colours.add(((data[i] << 16) | (data[i + 1] << 8) | data[i + 2]) >>> 0);
      return colours.size;
    }),
  );
}
