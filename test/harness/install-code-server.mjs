// Installs the pinned code-server into test/code-server on first use and reuses it afterwards.
// A plain `npm ci` fails four ways on these offline root machines; see the comments for each fix.
import { spawnSync, execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const codeServerDir = join(dirname(fileURLToPath(import.meta.url)), '..', 'code-server');
export const codeServerBin = join(
  codeServerDir,
  'node_modules',
  'code-server',
  'out',
  'node',
  'entry.js',
);

const RIPGREP_CACHE = 'vscode-ripgrep-cache-1.15.11';
const RIPGREP_TARBALL = 'ripgrep-v13.0.0-10-x86_64-unknown-linux-musl.tar.gz';

function pinnedVersion() {
  const pkg = JSON.parse(readFileSync(join(codeServerDir, 'package.json'), 'utf8'));
  return pkg.dependencies['code-server'];
}

function installedVersion() {
  const pkgFile = join(codeServerDir, 'node_modules', 'code-server', 'package.json');
  if (!existsSync(pkgFile) || !existsSync(codeServerBin)) return undefined;
  // node-pty and the rest are built by postinstall; a missing build means an interrupted install.
  const vscodeModules = join(
    codeServerDir,
    'node_modules',
    'code-server',
    'lib',
    'vscode',
    'node_modules',
  );
  if (!existsSync(vscodeModules)) return undefined;
  return JSON.parse(readFileSync(pkgFile, 'utf8')).version;
}

function which(cmd) {
  return (
    spawnSync('sh', ['-c', `command -v ${cmd}`], { encoding: 'utf8' }).stdout.trim() || undefined
  );
}

/** Returns the path of code-server's entry script, installing it first when needed. */
export function ensureCodeServer({ log = console.log } = {}) {
  const wanted = pinnedVersion();
  const have = installedVersion();
  if (have === wanted) return codeServerBin;
  log(`[code-server] installing code-server@${wanted} into ${codeServerDir} (about 2 minutes)…`);

  const rg = which('rg');
  if (!rg)
    throw new Error('ripgrep (rg) is missing: run `bash scripts/install-system-deps.sh` first');
  if (!existsSync('/usr/include/gssapi/gssapi.h')) {
    throw new Error(
      'libkrb5-dev is missing (kerberos builds from source): run `bash scripts/install-system-deps.sh`',
    );
  }

  // @vscode/ripgrep's postinstall downloads rg from GitHub unless it finds this cached tarball.
  const tmp = mkdtempSync(join(tmpdir(), 'cnn-inspector-cs-install-'));
  const cache = join(tmp, RIPGREP_CACHE);
  mkdirSync(cache, { recursive: true });
  execFileSync('tar', ['-czf', join(cache, RIPGREP_TARBALL), '-C', dirname(rg), 'rg']);

  const env = {
    ...process.env,
    TMPDIR: tmp,
    npm_config_unsafe_perm: 'true', // its postinstall refuses to run as root otherwise
    npm_config_yes: 'true', // node-pty's postinstall runs `npx node-gyp`
    npm_config_audit: 'false',
    npm_config_fund: 'false',
  };
  const lockExists = existsSync(join(codeServerDir, 'package-lock.json'));
  const args = lockExists
    ? ['ci', '--no-audit', '--no-fund']
    : ['install', '--no-audit', '--no-fund'];
  const started = Date.now();
  const result = spawnSync('npm', args, { cwd: codeServerDir, env, stdio: 'inherit' });
  rmSync(tmp, { recursive: true, force: true });
  if (result.status !== 0)
    throw new Error(`npm ${args[0]} of code-server failed (exit ${result.status})`);
  const now = installedVersion();
  if (now !== wanted)
    throw new Error(`code-server install finished but version is ${now}, expected ${wanted}`);
  log(`[code-server] installed in ${Math.round((Date.now() - started) / 1000)} s`);
  return codeServerBin;
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  try {
    console.log(ensureCodeServer());
  } catch (e) {
    console.error(String(e.message ?? e));
    process.exit(1);
  }
}
