// Headless Debian Chromium through playwright-core (no browser download).
import { existsSync } from 'node:fs';
import { chromium } from 'playwright-core';

export const CHROMIUM_ARGS = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  // Without these it floods the closed network with update/sync/component requests.
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--disable-dev-shm-usage',
];

export function chromiumExecutable() {
  const candidates = [
    process.env.CHROMIUM_PATH,
    '/usr/bin/chromium',
    '/usr/bin/chromium-browser',
  ].filter(Boolean);
  const found = candidates.find((p) => existsSync(p));
  if (!found) {
    throw new Error(
      `no Chromium found (tried ${candidates.join(', ')}): run \`bash scripts/install-system-deps.sh\` or set CHROMIUM_PATH`,
    );
  }
  return found;
}

/** Launches Chromium in this process (a fresh temporary profile each time). */
export function launchChromium() {
  return chromium.launch({
    executablePath: chromiumExecutable(),
    headless: true,
    args: CHROMIUM_ARGS,
  });
}

/** Launches Chromium as a server that another process (the e2e mocha run) connects to. */
export function launchChromiumServer() {
  return chromium.launchServer({
    executablePath: chromiumExecutable(),
    headless: true,
    args: CHROMIUM_ARGS,
  });
}
