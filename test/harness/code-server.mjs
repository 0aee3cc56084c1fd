// Starts a throwaway code-server (VS Code 1.100 web workbench + Node extension host) for one test run.
import { spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ensureCodeServer } from './install-code-server.mjs';

const HOST = '127.0.0.1';

export function freePort() {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.unref();
    server.on('error', reject);
    server.listen(0, HOST, () => {
      const { port } = server.address();
      server.close(() => resolve(port));
    });
  });
}

async function waitForHealthz(port, child, timeoutMs) {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (child.exitCode !== null)
      throw new Error(`code-server exited early with code ${child.exitCode}`);
    try {
      const res = await fetch(`http://${HOST}:${port}/healthz`);
      if (res.ok) return;
    } catch {
      // not listening yet
    }
    await new Promise((r) => setTimeout(r, 250));
  }
  throw new Error(`code-server did not answer /healthz within ${timeoutMs} ms`);
}

/**
 * Starts code-server on a free local port with its own config, data, user-data and extensions dirs.
 * Returns { port, workbenchUrl(payload), stop() }; stop() kills it and removes the temp dirs.
 */
export async function startCodeServer({
  folder,
  log = (line) => process.stdout.write(line),
  healthzTimeoutMs = 60_000,
  // true: workspace trust on and the folder untrusted (restricted mode), as a cautious user has it
  workspaceTrust = false,
}) {
  const entry = ensureCodeServer({ log: (m) => log(`${m}\n`) });
  const tmp = mkdtempSync(join(tmpdir(), 'cnn-inspector-cs-'));
  const dirs = {
    config: join(tmp, 'config'),
    data: join(tmp, 'data'),
    userData: join(tmp, 'user-data'),
    extensions: join(tmp, 'extensions'),
  };
  for (const d of Object.values(dirs)) mkdirSync(d, { recursive: true });
  mkdirSync(join(dirs.userData, 'User'), { recursive: true });
  writeFileSync(
    join(dirs.userData, 'User', 'settings.json'),
    JSON.stringify(
      {
        'workbench.startupEditor': 'none',
        'workbench.tips.enabled': false,
        'workbench.enableExperiments': false,
        'telemetry.telemetryLevel': 'off',
        'update.mode': 'none',
        'extensions.autoCheckUpdates': false,
        'extensions.autoUpdate': false,
        'extensions.ignoreRecommendations': true,
        'security.workspace.trust.enabled': workspaceTrust,
        'security.workspace.trust.startupPrompt': 'never',
        'git.enabled': false,
      },
      null,
      2,
    ),
  );

  const port = await freePort();
  const args = [
    entry,
    '--bind-addr',
    `${HOST}:${port}`,
    '--auth',
    'none',
    '--user-data-dir',
    dirs.userData,
    '--extensions-dir',
    dirs.extensions,
    '--disable-telemetry',
    '--disable-update-check',
    ...(workspaceTrust ? [] : ['--disable-workspace-trust']),
    '--disable-getting-started-override',
    '--ignore-last-opened',
    folder,
  ];
  const env = {
    ...process.env,
    XDG_CONFIG_HOME: dirs.config, // else it writes ~/.config/code-server/config.yaml
    XDG_DATA_HOME: dirs.data,
    // No marketplace is reachable: point the gallery at a closed local port.
    EXTENSIONS_GALLERY: JSON.stringify({ serviceUrl: 'http://127.0.0.1:9' }),
  };
  delete env.PORT;
  delete env.PASSWORD;
  delete env.HASHED_PASSWORD;
  const started = Date.now();
  const child = spawn(process.execPath, args, {
    env,
    stdio: ['ignore', 'pipe', 'pipe'],
    detached: true,
  });
  const prefix = (chunk) =>
    chunk
      .toString()
      .split('\n')
      .filter((l) => l.trim())
      .map((l) => `[code-server] ${l}\n`)
      .join('');
  child.stdout.on('data', (c) => log(prefix(c)));
  child.stderr.on('data', (c) => log(prefix(c)));

  let stopped = false;
  const stop = async () => {
    if (stopped) return;
    stopped = true;
    if (child.exitCode === null) {
      const exited = new Promise((r) => child.once('exit', r));
      try {
        process.kill(-child.pid, 'SIGTERM'); // its process group: the server and its extension hosts
      } catch {
        // already gone
      }
      const killed = await Promise.race([
        exited.then(() => true),
        new Promise((r) => setTimeout(() => r(false), 5000)),
      ]);
      if (!killed) {
        try {
          process.kill(-child.pid, 'SIGKILL');
        } catch {
          // already gone
        }
      }
    }
    rmSync(tmp, { recursive: true, force: true });
  };

  try {
    await waitForHealthz(port, child, healthzTimeoutMs);
  } catch (e) {
    await stop();
    throw e;
  }
  log(`[code-server] ready on http://${HOST}:${port} after ${Date.now() - started} ms\n`);

  const remote = (absPath) => `vscode-remote://${HOST}:${port}${absPath}`;
  /** payload: { extensionDevelopmentPath, extensionTestsPath? } as absolute local paths. */
  const workbenchUrl = (payload = {}) => {
    const entries = Object.entries(payload).map(([k, v]) => [k, remote(v)]);
    const query = new URLSearchParams({ folder });
    if (entries.length) query.set('payload', JSON.stringify(entries));
    return `http://${HOST}:${port}/?${query}`;
  };
  return { port, pid: child.pid, workbenchUrl, stop, tmp };
}
