/**
 * ONNX fixtures exported by PyTorch (scripts/onnx/export_fixtures.py) with PyTorch's own
 * activations, the oracle of the ONNX import tests. Generated on first use into
 * .cache/onnx-fixtures/<hash of the script>/ (gitignored), so a fresh machine makes them and an
 * edited script remakes them. Needs Debian's python3-torch (scripts/install-system-deps.sh).
 */
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { join, resolve } from 'node:path';

const ROOT = resolve(__dirname, '../../..');
const SCRIPT = join(ROOT, 'scripts/onnx/export_fixtures.py');
const PYTHON = '/usr/bin/python3';

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

export function fixtureRoot(): string {
  const hash = createHash('sha256').update(readFileSync(SCRIPT)).digest('hex').slice(0, 12);
  return join(ROOT, '.cache', 'onnx-fixtures', hash);
}

/** Exports the nets that are missing (one Python run for all of them). */
export function ensureFixtures(names: string[]): void {
  const root = fixtureRoot();
  const missing = names.filter((n) => !existsSync(join(root, n, 'oracle.json')));
  if (missing.length === 0) return;
  // Fixtures of earlier versions of the script are stale: remove them (they can be large).
  const parent = join(ROOT, '.cache', 'onnx-fixtures');
  for (const old of existsSync(parent) ? readdirSync(parent) : []) {
    if (join(parent, old) !== root) rmSync(join(parent, old), { recursive: true, force: true });
  }
  if (!existsSync(PYTHON)) {
    throw new Error(
      `${PYTHON} is missing: run scripts/install-system-deps.sh (Debian's python3-torch).`,
    );
  }
  try {
    execFileSync(PYTHON, [SCRIPT, root, ...missing], {
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

export function loadFixture(name: string): Fixture {
  ensureFixtures([name]);
  const dir = join(fixtureRoot(), name);
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
