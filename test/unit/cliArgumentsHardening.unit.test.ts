/**
 * The CLI refuses bad arguments before it starts any work: exit 2, one line saying what is wrong
 * and the allowed range, and a usage line. Also the flags that change a limit are the ones the
 * messages name (--memory-limit, --timeout), synthetic signals work as --image, and a backend
 * that cannot run says why.
 */
import * as assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { chmodSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ensureBuilt, repoRoot } from './helpers/build';
import { greyPng } from './helpers/imageBytes';

const models = join(__dirname, '..', 'fixtures', 'models');

function cli(args: string[], timeout = 120_000) {
  const started = Date.now();
  const result = spawnSync(process.execPath, [join(repoRoot, 'dist', 'cli.js'), ...args], {
    encoding: 'utf8',
    timeout,
  });
  return {
    code: result.status,
    stdout: result.stdout,
    stderr: result.stderr,
    ms: Date.now() - started,
  };
}

describe('CLI arguments (hardening)', function () {
  this.timeout(180_000);
  const dir = mkdtempSync(join(tmpdir(), 'cnn-cli-args-'));
  const image = join(dir, 'ramp.png');
  before(() => {
    ensureBuilt();
    writeFileSync(
      image,
      greyPng(
        4,
        4,
        Array.from({ length: 16 }, (_, k) => 17 * k),
      ),
    );
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  const report = (...extra: string[]) => [
    'report',
    join(models, 'hangs.ts'), // any work started would hang: a refusal must come first
    '--image',
    image,
    ...extra,
  ];
  const USAGE_LINE = /\nUsage: cnn-inspector report <model\.ts\|model\.onnx> --image <file>/;

  const refusals: [string[], RegExp][] = [
    [
      ['--timeout', 'abc'],
      /--timeout must be a whole number from 1 to 86400 \(seconds\), not 'abc'/,
    ],
    [['--timeout', '0'], /--timeout must be a whole number from 1 to 86400 \(seconds\), not '0'/],
    [
      ['--timeout', '1e9'],
      /--timeout must be a whole number from 1 to 86400 \(seconds\), not '1e9'/,
    ],
    [['--timeout', '1000000000'], /from 1 to 86400 \(seconds\), not '1000000000'/],
    [['--timeout', '2.5'], /from 1 to 86400 \(seconds\), not '2\.5'/],
    [['--timeout=-5'], /from 1 to 86400 \(seconds\), not '-5'/],
    [
      ['--memory-limit', '10'],
      /--memory-limit must be a whole number from 256 to 65536 \(MB\), not '10'/,
    ],
    [['--memory-limit', 'lots'], /--memory-limit must be a whole number from 256 to 65536 \(MB\)/],
    [['--threads', '1e3'], /--threads must be a whole number from 0 to 8/],
    [['--threads', '99'], /--threads must be a whole number from 0 to 8/],
  ];
  for (const [flags, message] of refusals) {
    it(`refuses ${flags.join(' ')} at once with exit 2, the allowed range and a usage line`, () => {
      const run = cli(report(...flags), 60_000);
      assert.equal(run.code, 2, run.stderr);
      assert.match(run.stderr, message);
      assert.match(run.stderr, USAGE_LINE);
      assert.doesNotMatch(run.stderr, /NaN/);
    });
  }

  it('checks the gallery command numbers too (timeout, workers, checkpoint interval)', () => {
    const gallery = (...extra: string[]) =>
      cli(
        [
          'gallery',
          join(models, 'hangs.ts'),
          '--folder',
          dir,
          '--out',
          join(dir, 'g.json'),
          ...extra,
        ],
        60_000,
      );
    for (const [flags, message] of [
      [
        ['--timeout', '1e9'],
        /--timeout must be a whole number from 1 to 86400 \(seconds\), not '1e9'/,
      ],
      [['--timeout', '0'], /--timeout must be a whole number from 1 to 86400/],
      [['--workers', '100000'], /--workers must be a whole number from 1 to 256/],
      [['--checkpoint-every', '1e9'], /--checkpoint-every must be a whole number from 0 to 86400/],
      [['--memory-limit', '1'], /--memory-limit must be a whole number from 256 to 65536 \(MB\)/],
    ] as const) {
      const run = gallery(...flags);
      assert.equal(run.code, 2, `${flags.join(' ')}: ${run.stderr}`);
      assert.match(run.stderr, message);
      assert.match(run.stderr, /Usage: cnn-inspector gallery/);
    }
  });

  it('checks the --json and --out destinations before any work starts', () => {
    const missing = join(dir, 'no-such-folder', 'r.json');
    let run = cli(report('--json', missing, '--timeout', '60'));
    assert.equal(run.code, 2, run.stderr);
    assert.match(
      run.stderr,
      /--json .*no-such-folder.*r\.json: the folder .*no-such-folder does not exist/,
    );
    assert.ok(run.ms < 30_000, `refused after ${run.ms} ms`);

    const readOnly = join(dir, 'read-only');
    mkdirSync(readOnly);
    chmodSync(readOnly, 0o500);
    try {
      if (process.getuid?.() !== 0) {
        run = cli(report('--out', join(readOnly, 'r.html'), '--timeout', '60'));
        assert.equal(run.code, 2, run.stderr);
        assert.match(run.stderr, /--out .*read-only.*r\.html: cannot write in the folder/);
      }
    } finally {
      chmodSync(readOnly, 0o700);
    }

    run = cli(report('--out', dir, '--timeout', '60'));
    assert.equal(run.code, 2, run.stderr);
    assert.match(run.stderr, /--out .*: is a folder; give a file name/);

    const notAFolder = join(dir, 'file.txt');
    writeFileSync(notAFolder, 'x');
    run = cli(report('--json', join(notAFolder, 'r.json'), '--timeout', '60'));
    assert.equal(run.code, 2, run.stderr);
    assert.match(run.stderr, /file\.txt is not a folder/);
  });

  it('names --memory-limit in the out-of-memory message, and the limit given is the one applied', () => {
    const run = cli([
      'report',
      join(models, 'eatsMemory.ts'),
      '--image',
      image,
      '--backend',
      'cpu',
      '--memory-limit',
      '256',
    ]);
    assert.equal(run.code, 1, run.stderr);
    assert.match(
      run.stderr,
      /eatsMemory\.ts: The model ran out of memory \(limit 256 MB, --memory-limit <MB>\)/,
    );
    assert.doesNotMatch(run.stderr, /at most 8 GB/);
  });

  it('runs a 1-D model on a synthetic signal given as --image synthetic:step', () => {
    const json = join(dir, 'signal.json');
    const run = cli([
      'report',
      join(models, 'signal1d.ts'),
      '--image',
      'synthetic:step',
      '--json',
      json,
      '--backend',
      'cpu',
    ]);
    assert.equal(run.code, 0, run.stderr);
    const written = JSON.parse(readFileSync(json, 'utf8'));
    assert.equal(written.image.file, 'synthetic:step');
    assert.deepEqual(written.inputShape, [16, 1]);
    // An unknown synthetic kind is named as such, not looked for on disk.
    const bad = cli([
      'report',
      join(models, 'signal1d.ts'),
      '--image',
      'synthetic:saw',
      '--backend',
      'cpu',
    ]);
    assert.equal(bad.code, 1, bad.stderr);
    assert.match(bad.stderr, /unknown synthetic signal 'saw' \(choose step, impulse, sine\)/);
  });

  it('warns that --backend tensorflow runs on WebAssembly when tfjs-node is not installed, and why', function () {
    try {
      createRequire(join(repoRoot, 'package.json')).resolve('@tensorflow/tfjs-node');
      this.skip(); // installed here: nothing to warn about
    } catch {
      // not installed: the case under test
    }
    const json = join(dir, 'tf.json');
    const run = cli([
      'report',
      join(models, 'tiny.ts'),
      '--image',
      image,
      '--backend',
      'tensorflow',
      '--json',
      json,
    ]);
    assert.equal(run.code, 0, run.stderr);
    assert.match(
      run.stderr,
      /warning: --backend tensorflow: @tensorflow\/tfjs-node is not installed .*; running on WebAssembly \(wasm\) instead/,
    );
    const written = JSON.parse(readFileSync(json, 'utf8'));
    assert.equal(written.backend, 'wasm');
    assert.ok(
      (written.warnings as string[]).some((w) => /tfjs-node is not installed/.test(w)),
      JSON.stringify(written.warnings),
    );
  });
});
