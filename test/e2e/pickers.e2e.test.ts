// The input pickers offer what fits the model (issue 9): LeNet's image picker lists its 28x28 grey
// pictures before the colour photos, the signal picker of a 1-D model lists signal files only (not
// lenet/training.json), and "Inspect image" on a PNG does not offer the 1-D model.
import * as assert from 'node:assert/strict';
import { screenshot, workbenchPage } from './fixture';
import { pickQuickItem, quickPickLabels, runCommand, waitForQuickPickItem } from './workbench';

const ROWS = '.quick-input-widget .quick-input-list .monaco-list-row';

describe('CNN Inspector: input pickers, through the UI', () => {
  it('offers pictures, signals and models that fit the model first or only', async function () {
    this.timeout(420_000);
    const page = workbenchPage();

    // LeNet (28x28 grey): the first picture offered is a Fashion-MNIST one, said to fit as it is.
    await runCommand(page, 'CNN Inspector: Visualize layer');
    await waitForQuickPickItem(page, (l) => l === 'lenet');
    await pickQuickItem(page, 'lenet');
    await waitForQuickPickItem(page, (l) => l === 'conv2', 180_000);
    await pickQuickItem(page, 'conv2');
    await waitForQuickPickItem(page, (l) => l.endsWith('.png'), 60_000);
    const images = await quickPickLabels(page);
    await screenshot('pickers-lenet-images');
    assert.match(images[0], /^\d{3}-[a-z-]+\.png$/, images.join(' | '));
    assert.ok(!images.slice(0, 10).includes('astronaut.png'), images.join(' | '));
    const firstRow = await page.locator(ROWS).first().textContent();
    assert.match(firstRow ?? '', /28\u00d728 grey, as the model takes it/);
    // The colour photos are still there, further down, marked as converted.
    await page.keyboard.type('astronaut');
    await waitForQuickPickItem(page, (l) => l === 'astronaut.png', 30_000);
    assert.match(
      (await page.locator(ROWS).first().textContent()) ?? '',
      /512\u00d7512 colour: converted to grey, resized/,
    );
    await page.keyboard.press('Escape');
    // Cancelling the picker leaves the panel without an image; the keyboard goes back to the
    // workbench for the next command (the webview would take it).
    await page.waitForTimeout(1000);
    await page.locator('.part.sidebar .composite.title').click();

    // edges1d (11 steps, 1 channel): signal files by content; the training log is not one.
    await runCommand(page, 'CNN Inspector: Visualize layer');
    await waitForQuickPickItem(page, (l) => l === 'edges1d');
    await pickQuickItem(page, 'edges1d');
    await waitForQuickPickItem(page, (l) => l === 'edge', 180_000);
    await pickQuickItem(page, 'edge');
    await waitForQuickPickItem(page, (l) => l === 'synthetic:step', 60_000);
    const signals = await quickPickLabels(page);
    await screenshot('pickers-edges1d-signals');
    await page.keyboard.press('Escape');
    await page.waitForTimeout(1000);
    await page.locator('.part.sidebar .composite.title').click();
    assert.equal(signals[0], 'lecture.csv', signals.join(' | '));
    for (const notSignal of ['training.json', 'model.json', 'package.json', 'tsconfig.json'])
      assert.ok(!signals.includes(notSignal), `${notSignal} offered: ${signals.join(' | ')}`);

    // Inspect image on a PNG: the 1-D model is not offered.
    const rows = page.locator('.explorer-folders-view .monaco-list-row');
    const folder = rows.filter({ hasText: /^images$/ });
    await folder.click();
    const png = rows.filter({ hasText: /^camera\.png$/ });
    await png.waitFor({ timeout: 30_000 });
    // Again if no pick appears: in two clean-clone CI runs (after the window reloads of the
    // tests before) the menu's click showed no pick for 2 x 30 s; alone and after those tests it
    // passes (noted on issue 9). A failure now says what the workbench showed instead.
    for (let attempt = 1; ; attempt++) {
      await png.click({ button: 'right' });
      await page
        .locator('.context-view .action-label', { hasText: 'CNN Inspector: Inspect image' })
        .click({ timeout: 10_000 });
      try {
        await waitForQuickPickItem(page, (l) => l === 'lenet', 60_000);
        break;
      } catch (error) {
        const toasts = await page.locator('.notification-toast').allTextContents();
        await screenshot(`pickers-inspect-image-no-pick-${attempt}`);
        if (attempt === 3)
          throw new Error(`${(error as Error).message}; notifications: ${JSON.stringify(toasts)}`);
        await page.keyboard.press('Escape');
      }
    }
    const models = await quickPickLabels(page);
    await screenshot('pickers-inspect-image-models');
    await page.keyboard.press('Escape');
    await folder.click(); // folded again, as the other tests expect the explorer
    assert.ok(models.includes('vgg16') && models.includes('lenetUntrained'), models.join(' | '));
    assert.ok(!models.includes('edges1d'), `the 1-D model is offered: ${models.join(' | ')}`);
  });
});
