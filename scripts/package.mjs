// Packages one VSIX per platform. esbuild (which compiles model files at run time) is native, so
// each VSIX carries exactly one esbuild binary, its target's, in dist/bin; ONNX Runtime (the native
// engine) is too: only the target's binaries, in dist/onnxruntime/bin (scripts/onnxRuntimeFiles.mjs;
// none for targets it has no build for: linux-armhf, darwin-x64, alpine). TensorFlow.js runs on
// WebAssembly or JavaScript everywhere.
//
//   node scripts/package.mjs                      this machine's platform
//   node scripts/package.mjs --target darwin-arm64 --target win32-x64
//   node scripts/package.mjs --all                every target VS Code knows
//   options: --no-build (package the current dist/), --out FOLDER (default: the repository root)
// The build is package.json's `vscode:prepublish` (what `vsce package` would run before packing).
//
// Another platform's binary comes from its @esbuild/* package, fetched once with `npm pack` into
// .cache/esbuild/ (the version is the one in node_modules/esbuild, which the binary must match).
import { execFileSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { stageOnnxRuntimeBinaries } from './onnxRuntimeFiles.mjs';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const require = createRequire(import.meta.url);

/** VS Code's target names -> the Node platform and arch, and esbuild's package for them. */
const TARGETS = {
  'win32-x64': { platform: 'win32', arch: 'x64', esbuild: 'win32-x64' },
  'win32-arm64': { platform: 'win32', arch: 'arm64', esbuild: 'win32-arm64' },
  'linux-x64': { platform: 'linux', arch: 'x64', esbuild: 'linux-x64' },
  'linux-arm64': { platform: 'linux', arch: 'arm64', esbuild: 'linux-arm64' },
  'linux-armhf': { platform: 'linux', arch: 'arm', esbuild: 'linux-arm' },
  // esbuild's Linux binaries are static, so they run on Alpine's musl too.
  'alpine-x64': { platform: 'linux', arch: 'x64', esbuild: 'linux-x64' },
  'alpine-arm64': { platform: 'linux', arch: 'arm64', esbuild: 'linux-arm64' },
  'darwin-x64': { platform: 'darwin', arch: 'x64', esbuild: 'darwin-x64' },
  'darwin-arm64': { platform: 'darwin', arch: 'arm64', esbuild: 'darwin-arm64' },
};

function hostTarget() {
  const entry = Object.entries(TARGETS).find(
    ([name, t]) =>
      t.platform === process.platform && t.arch === process.arch && !name.startsWith('alpine'),
  );
  if (!entry) throw new Error(`No VS Code target for ${process.platform}-${process.arch}`);
  return entry[0];
}

function parseArguments(argv) {
  const options = { targets: [], build: true, out: root };
  for (let i = 0; i < argv.length; i++) {
    if (argv[i] === '--all') options.targets.push(...Object.keys(TARGETS));
    else if (argv[i] === '--target') options.targets.push(argv[++i]);
    else if (argv[i] === '--no-build') options.build = false;
    else if (argv[i] === '--out') options.out = resolve(argv[++i]);
    else throw new Error(`Unknown argument ${argv[i]} (see the comment at the top of this file)`);
  }
  for (const target of options.targets) {
    if (!TARGETS[target]) {
      throw new Error(`Unknown target ${target}; known: ${Object.keys(TARGETS).join(', ')}`);
    }
  }
  if (options.targets.length === 0) options.targets.push(hostTarget());
  return options;
}

const binaryName = (platform) => (platform === 'win32' ? 'esbuild.exe' : 'esbuild');

/** The esbuild binary for a target: from node_modules when installed, else from its package. */
function esbuildBinary(target) {
  const { platform, esbuild } = TARGETS[target];
  const version = JSON.parse(readFileSync(require.resolve('esbuild/package.json'), 'utf8')).version;
  const inPackage = platform === 'win32' ? 'esbuild.exe' : 'bin/esbuild';
  try {
    const installed = dirname(require.resolve(`@esbuild/${esbuild}/package.json`));
    const manifest = JSON.parse(readFileSync(join(installed, 'package.json'), 'utf8'));
    if (manifest.version === version) return join(installed, inPackage);
  } catch {
    // Not installed on this machine: fetch it below.
  }
  const cache = join(root, '.cache', 'esbuild', `${esbuild}-${version}`);
  const binary = join(cache, 'package', inPackage);
  if (!existsSync(binary)) {
    mkdirSync(cache, { recursive: true });
    const packed = execFileSync(
      'npm',
      ['pack', `@esbuild/${esbuild}@${version}`, '--pack-destination', cache, '--silent'],
      { encoding: 'utf8', shell: process.platform === 'win32' },
    ).trim();
    execFileSync('tar', ['-xzf', join(cache, packed.split('\n').pop()), '-C', cache]);
  }
  return binary;
}

function stageBinary(target) {
  const { platform, arch } = TARGETS[target];
  // Alpine's musl cannot load ONNX Runtime's glibc build: those VSIXes run TensorFlow.js only.
  const hasOnnxRuntime =
    !target.startsWith('alpine') && stageOnnxRuntimeBinaries(root, platform, arch);
  if (!hasOnnxRuntime) console.log(`${target}: no ONNX Runtime build; TensorFlow.js only`);
  const folder = join(root, 'dist', 'bin');
  rmSync(folder, { recursive: true, force: true });
  mkdirSync(folder, { recursive: true });
  cpSync(esbuildBinary(target), join(folder, binaryName(platform)));
  writeFileSync(join(folder, 'target.json'), `${JSON.stringify({ platform, arch })}\n`);
}

async function main() {
  const options = parseArguments(process.argv.slice(2));
  if (options.build) {
    execFileSync('npm', ['run', 'vscode:prepublish'], {
      cwd: root,
      stdio: 'inherit',
      shell: process.platform === 'win32',
    });
  }
  // vsce's pack() without its CLI's prepublish step: the build above is that step, run once
  // for all targets (each target differs only in dist/bin).
  const { pack } = require('@vscode/vsce/out/package');
  const { name, version } = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8'));
  mkdirSync(options.out, { recursive: true });
  try {
    for (const target of options.targets) {
      stageBinary(target);
      const packagePath = join(options.out, `${name}-${target}-${version}.vsix`);
      await pack({
        cwd: root,
        target,
        packagePath,
        // Everything the extension runs is bundled into dist/: no node_modules in the package.
        dependencies: false,
        // There is no public repository yet (see README): images are packaged and linked
        // relatively, which the Extensions view of an installed VSIX shows.
        allowMissingRepository: true,
        rewriteRelativeLinks: false,
      });
      console.log(`packaged ${packagePath}`);
    }
  } finally {
    // Leave this machine's own binary for development and the tests.
    stageBinary(hostTarget());
  }
}

main().catch((error) => {
  console.error(error instanceof Error ? error.message : error);
  process.exit(1);
});
