#!/usr/bin/env node
// Runs the integration suite (dist/test/integration/index.js) in a desktop VS Code with @vscode/test-electron 2.x,
// for machines that have one. CI here has none and cannot download one: it uses test/run-code-server.mjs.
//
//   VSCODE_EXECUTABLE=/path/to/code node test/run-electron.mjs
//     VSCODE_EXECUTABLE: the VS Code *binary* (Linux: /usr/share/code/code; macOS:
//       "/Applications/Visual Studio Code.app/Contents/MacOS/Electron"; Windows: ...\Code.exe).
//     Without it, common install locations are tried, then a download of VSCODE_VERSION (default 1.100.3).
//   On a Linux machine without a display, run it under xvfb-run.
// Prints `N passed, N failed` on its own line and exits with the tests' code.
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { downloadAndUnzipVSCode, runTests } from '@vscode/test-electron';

const repoRoot = join(dirname(fileURLToPath(import.meta.url)), '..');
const artifacts = join(repoRoot, '.test-artifacts');
const resultsFile = join(artifacts, 'integration-results.json');
const timeoutMs = Number(process.env.CNN_TEST_TIMEOUT_SECONDS || 300) * 1000;

const KNOWN_LOCATIONS = [
  '/usr/share/code/code',
  '/usr/share/code-insiders/code-insiders',
  '/snap/code/current/usr/share/code/code',
  '/opt/visual-studio-code/code',
  '/Applications/Visual Studio Code.app/Contents/MacOS/Electron',
];

async function findVSCode() {
  const fromEnv = process.env.VSCODE_EXECUTABLE;
  if (fromEnv) {
    if (!existsSync(fromEnv)) throw new Error(`VSCODE_EXECUTABLE=${fromEnv} does not exist`);
    return fromEnv;
  }
  const local = KNOWN_LOCATIONS.find((p) => existsSync(p));
  if (local) return local;
  const version = process.env.VSCODE_VERSION || '1.100.3';
  console.log(
    `[electron] no local VS Code found; downloading VS Code ${version} (needs update.code.visualstudio.com)…`,
  );
  try {
    return await downloadAndUnzipVSCode({
      version,
      cachePath: join(repoRoot, '.vscode-test'),
      timeout: 30_000,
    });
  } catch (e) {
    throw new Error(
      [
        `could not find or download VS Code (${e?.message ?? e}).`,
        'Point VSCODE_EXECUTABLE at a desktop VS Code binary, e.g.',
        '  VSCODE_EXECUTABLE=/usr/share/code/code node test/run-electron.mjs',
        "or, on a machine without VS Code and without access to Microsoft's download servers,",
        'run the same suite in code-server: node test/run-code-server.mjs integration',
      ].join('\n'),
    );
  }
}

async function main() {
  const vscodeExecutablePath = await findVSCode();
  console.log(`[electron] using ${vscodeExecutablePath}`);
  const testsPath = join(repoRoot, 'dist/test/integration/index.js');
  if (!existsSync(join(repoRoot, 'dist/extension.js')) || !existsSync(testsPath)) {
    throw new Error('dist/ is missing: run `node scripts/build.mjs` first');
  }
  const userData = mkdtempSync(join(tmpdir(), 'cnn-inspector-electron-'));
  try {
    const run = runTests({
      vscodeExecutablePath,
      extensionDevelopmentPath: repoRoot,
      extensionTestsPath: testsPath,
      launchArgs: [
        join(repoRoot, 'examples'),
        '--disable-extensions', // other installed extensions: the one under development still loads
        '--disable-workspace-trust',
        '--skip-welcome',
        '--skip-release-notes',
        '--user-data-dir',
        join(userData, 'user-data'),
        '--extensions-dir',
        join(userData, 'extensions'),
      ],
    });
    let timer;
    const timeout = new Promise((_, reject) => {
      timer = setTimeout(
        () => reject(new Error(`timed out after ${timeoutMs / 1000} s`)),
        timeoutMs,
      );
    });
    try {
      return await Promise.race([run, timeout]);
    } finally {
      clearTimeout(timer);
    }
  } finally {
    rmSync(userData, { recursive: true, force: true });
  }
}

rmSync(resultsFile, { force: true }); // never report a previous run's results
let exitCode;
let reason;
try {
  exitCode = await main();
  reason = 'VS Code exited';
} catch (e) {
  exitCode = 1;
  reason = e?.message ?? String(e);
  console.error(`[electron] ${reason}`);
}
let results;
try {
  results = JSON.parse(readFileSync(resultsFile, 'utf8'));
} catch {
  results = undefined;
}
const passed = results?.stats?.passes ?? 0;
const failed = results?.stats?.failures ?? 0;
if (!results || failed > 0 || passed === 0) exitCode = exitCode || 1;
mkdirSync(artifacts, { recursive: true });
writeFileSync(
  join(artifacts, 'electron-run.json'),
  JSON.stringify({ exitCode, reason, passed, failed }, null, 2),
);
console.log(`${passed} passed, ${failed} failed`);
process.exit(exitCode);
