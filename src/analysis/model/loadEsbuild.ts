/**
 * Loads esbuild, which compiles model files at run time. esbuild's JavaScript API is bundled into
 * dist/*.js; its native binary is shipped beside the bundles in dist/bin (one per platform VSIX,
 * see scripts/package.mjs) with a note of the platform it is for. Outside the bundles (unit tests
 * run the sources) the API finds its binary in node_modules as usual.
 */
import type * as esbuildType from 'esbuild';
import { accessSync, chmodSync, constants, existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { InspectorError } from '../errors';

/** Folder beside the bundles that holds esbuild's binary and `target.json`. */
export const ESBUILD_BIN_FOLDER = 'bin';

interface ShippedTarget {
  platform: string;
  arch: string;
}

let loaded: typeof esbuildType | undefined;

export function esbuildBinaryName(platform: string): string {
  return platform === 'win32' ? 'esbuild.exe' : 'esbuild';
}

/** The shipped binary beside this bundle, or undefined when running from the sources. */
function shippedBinary(): string | undefined {
  const folder = join(__dirname, ESBUILD_BIN_FOLDER);
  const noteFile = join(folder, 'target.json');
  if (!existsSync(noteFile)) return undefined;
  const target = JSON.parse(readFileSync(noteFile, 'utf8')) as ShippedTarget;
  if (target.platform !== process.platform || target.arch !== process.arch) {
    throw new InspectorError(
      'worker',
      `This CNN Inspector package is built for ${target.platform}-${target.arch} and cannot compile ` +
        `model files on ${process.platform}-${process.arch}: install the package built for this platform.`,
    );
  }
  const binary = join(folder, esbuildBinaryName(process.platform));
  ensureExecutable(binary);
  return binary;
}

/** An unzip that drops file modes (a VSIX is a zip) would leave the binary unrunnable. */
function ensureExecutable(binary: string): void {
  if (process.platform === 'win32') return;
  try {
    accessSync(binary, constants.X_OK);
  } catch {
    chmodSync(binary, 0o755);
  }
}

export function loadEsbuild(): typeof esbuildType {
  if (loaded) return loaded;
  const binary = shippedBinary();
  // esbuild reads ESBUILD_BINARY_PATH once, when its module initialises; the variable is put back
  // at once so that nothing else in this process (other extensions' esbuild) sees it.
  const previous = process.env.ESBUILD_BINARY_PATH;
  if (binary) process.env.ESBUILD_BINARY_PATH = binary;
  try {
    // Required lazily: the CLI's `--help` and the tests of other modules need not pay for it.
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    loaded = require('esbuild') as typeof esbuildType;
  } finally {
    if (previous === undefined) delete process.env.ESBUILD_BINARY_PATH;
    else process.env.ESBUILD_BINARY_PATH = previous;
  }
  return loaded;
}
