/**
 * ONNX fixtures exported by PyTorch with PyTorch's own activations, the oracle of the ONNX import
 * tests: torchvision nets and the first small nets (scripts/onnx/export_fixtures.py), and one small
 * net per op or attribute (scripts/onnx/export_op_fixtures.py, which reuses the first script's
 * recording). Generated on first use into .cache/<set>/<hash of the scripts>/ (gitignored), so a
 * fresh machine makes them and an edited script remakes them. Needs Debian's python3-torch
 * (scripts/install-system-deps.sh).
 */
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { join, resolve } from 'node:path';

const ROOT = resolve(__dirname, '../../..');
const PYTHON = '/usr/bin/python3';

interface FixtureSet {
  /** The script that exports the set's nets. */
  script: string;
  /** Scripts it imports: editing them remakes the set too. */
  imports: string[];
  cacheDir: string;
}

const TORCH_SET: FixtureSet = {
  script: join(ROOT, 'scripts/onnx/export_fixtures.py'),
  imports: [],
  cacheDir: join(ROOT, '.cache', 'onnx-fixtures'),
};
const OP_SET: FixtureSet = {
  script: join(ROOT, 'scripts/onnx/export_op_fixtures.py'),
  imports: [TORCH_SET.script],
  cacheDir: join(ROOT, '.cache', 'onnx-op-fixtures'),
};

export interface OracleTensor {
  offset: number;
  shape: number[];
}

export interface Oracle {
  name: string;
  inputShape: number[];
  modules: Record<string, { type: string; input: OracleTensor | null; output: OracleTensor }>;
  output: OracleTensor;
  expectedParams: Record<string, number>;
  foldedConvs: string[];
  moduleParams: number;
}

export interface Fixture {
  dir: string;
  modelFile: string;
  oracle: Oracle;
  input: Float32Array;
  tensor(t: OracleTensor): Float32Array;
}

function setRoot(set: FixtureSet): string {
  const hash = createHash('sha256');
  for (const file of [set.script, ...set.imports]) hash.update(readFileSync(file));
  return join(set.cacheDir, hash.digest('hex').slice(0, 12));
}

/** Exports the nets of a set that are missing (one Python run for all of them). */
function ensureSet(set: FixtureSet, names: string[]): void {
  const root = setRoot(set);
  const missing = names.filter((n) => !existsSync(join(root, n, 'oracle.json')));
  if (missing.length === 0) return;
  // Fixtures of earlier versions of the script are stale: remove them (they can be large).
  const parent = set.cacheDir;
  for (const old of existsSync(parent) ? readdirSync(parent) : []) {
    if (join(parent, old) !== root) rmSync(join(parent, old), { recursive: true, force: true });
  }
  if (!existsSync(PYTHON)) {
    throw new Error(
      `${PYTHON} is missing: run scripts/install-system-deps.sh (Debian's python3-torch).`,
    );
  }
  try {
    execFileSync(PYTHON, [set.script, root, ...missing], {
      stdio: ['ignore', 'pipe', 'pipe'],
      env: { ...process.env, OMP_NUM_THREADS: '1' },
      timeout: 15 * 60_000,
    });
  } catch (error) {
    const stderr = String((error as { stderr?: Buffer }).stderr ?? '');
    throw new Error(
      `exporting ONNX fixtures failed (needs Debian's python3-torch: scripts/install-system-deps.sh):\n${stderr.slice(-2000)}`,
    );
  }
}

function floats(bytes: Buffer): Float32Array {
  const copy = new Uint8Array(bytes); // aligned
  return new Float32Array(copy.buffer, 0, copy.byteLength / 4);
}

function loadFromSet(set: FixtureSet, name: string): Fixture {
  ensureSet(set, [name]);
  return fixtureFromDir(join(setRoot(set), name));
}

/** A directory written by export_fixtures.py's export_net (the fixtures, the survey). */
export function fixtureFromDir(dir: string): Fixture {
  const oracle = JSON.parse(readFileSync(join(dir, 'oracle.json'), 'utf8')) as Oracle;
  const blob = floats(readFileSync(join(dir, 'oracle.bin')));
  return {
    dir,
    modelFile: join(dir, 'model.onnx'),
    oracle,
    input: floats(readFileSync(join(dir, 'input.bin'))),
    tensor: (t) => blob.subarray(t.offset / 4, t.offset / 4 + t.shape.reduce((a, b) => a * b, 1)),
  };
}

/** The torchvision nets and the first small nets (scripts/onnx/export_fixtures.py). */
export function fixtureRoot(): string {
  return setRoot(TORCH_SET);
}

export function ensureFixtures(names: string[]): void {
  ensureSet(TORCH_SET, names);
}

export function loadFixture(name: string): Fixture {
  return loadFromSet(TORCH_SET, name);
}

/** One small net per op or attribute (scripts/onnx/export_op_fixtures.py). */
export function opFixtureRoot(): string {
  return setRoot(OP_SET);
}

export function ensureOpFixtures(names: string[]): void {
  ensureSet(OP_SET, names);
}

export function loadOpFixture(name: string): Fixture {
  return loadFromSet(OP_SET, name);
}
