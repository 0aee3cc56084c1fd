// `cnn-inspector gallery --shard i/n` + `cnn-inspector merge` over the 300 Fashion-MNIST pictures
// with the trained LeNet: the merge of n parts is byte for byte the file of one run without
// --shard, for n = 1, 2, 3 and 7; merge refuses parts of another pass; a killed shard resumes from
// its checkpoint and ends with the same bytes.
import * as assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ensureBuilt, repoRoot } from './helpers/build';
import { SAME_MACHINE, cliScript, runAll, runCli } from './helpers/galleryCli';
import { writeEdgeImages } from './helpers/edgeImages';

const fashion = join(repoRoot, 'examples', 'images', 'fashion-mnist');
const lenet = join(repoRoot, 'examples', 'lenet.ts');
const edges = join(__dirname, '..', 'fixtures', 'gallery', 'edges.ts');

describe('dataset passes: sharded galleries', function () {
  this.timeout(900_000);
  let dir: string;
  let single: Buffer;
  before(async () => {
    ensureBuilt();
    dir = mkdtempSync(join(tmpdir(), 'gallery-shards-'));
    const out = join(dir, 'single.json');
    const run = await runCli([
      'gallery',
      lenet,
      '--folder',
      fashion,
      '--layer',
      'pool2',
      '--out',
      out,
      ...SAME_MACHINE,
    ]);
    assert.equal(run.code, 0, run.stderr);
    single = readFileSync(out);
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  it('writes every unit of pool2 with its top 9 and statistics over all 300 images', () => {
    const gallery = JSON.parse(single.toString('utf8'));
    assert.equal(gallery.kind, 'cnn-inspector-gallery');
    assert.equal(gallery.imageCount, 300);
    assert.equal(gallery.folder.fileCount, 300);
    assert.equal(gallery.galleries.length, 16);
    assert.equal(gallery.unitStats.length, 16);
    for (const g of gallery.galleries) {
      assert.equal(g.patches.length, 9);
      for (const p of g.patches) assert.doesNotMatch(p.file, /^\//, 'paths are relative');
    }
    for (const s of gallery.unitStats) {
      assert.equal(s.images, 300);
      assert.equal(s.positions, 300 * 5 * 5); // pool2 is 5x5
      assert.equal(
        s.histogram.reduce((a: number, b: number) => a + b, 0),
        s.positions,
      );
    }
  });

  for (const n of [1, 2, 3, 7]) {
    it(`merges ${n} shard${n > 1 ? 's' : ''} into exactly the bytes of the single run`, async () => {
      const parts = Array.from({ length: n }, (_, i) => join(dir, `n${n}-part-${i}.json`));
      const runs = await runAll(
        parts.map(
          (out, i) => () =>
            runCli([
              'gallery',
              lenet,
              '--folder',
              fashion,
              '--layer',
              'pool2',
              '--shard',
              `${i}/${n}`,
              '--out',
              out,
              ...SAME_MACHINE,
            ]),
        ),
      );
      runs.forEach((r) => assert.equal(r.code, 0, r.stderr));
      const counts = parts.map((p) => JSON.parse(readFileSync(p, 'utf8')).files.length);
      assert.equal(
        counts.reduce((a, b) => a + b, 0),
        300,
      );
      const merged = join(dir, `n${n}-merged.json`);
      const merge = await runCli(['merge', ...[...parts].reverse(), '--out', merged]);
      assert.equal(merge.code, 0, merge.stderr);
      assert.ok(
        readFileSync(merged).equals(single),
        `n = ${n}: merged file differs from the single run`,
      );
    });
  }

  it('refuses to merge parts made with another top-k, naming the field, and writes nothing', async () => {
    const images = join(dir, 'edges');
    writeEdgeImages(images);
    const a = join(dir, 'edges-0.json');
    const b = join(dir, 'edges-1.json');
    const runs = await runAll([
      () =>
        runCli([
          'gallery',
          edges,
          '--folder',
          images,
          '--shard',
          '0/2',
          '--top-k',
          '2',
          '--out',
          a,
          ...SAME_MACHINE,
        ]),
      () =>
        runCli([
          'gallery',
          edges,
          '--folder',
          images,
          '--shard',
          '1/2',
          '--top-k',
          '3',
          '--out',
          b,
          ...SAME_MACHINE,
        ]),
    ]);
    runs.forEach((r) => assert.equal(r.code, 0, r.stderr));
    const out = join(dir, 'edges-merged.json');
    const merge = await runCli(['merge', a, b, '--out', out]);
    assert.equal(merge.code, 1);
    assert.match(
      merge.stderr,
      /edges-1\.json does not belong with .*edges-0\.json: topK is 3 there, 2 in/,
    );
    assert.ok(!existsSync(out));
    const alone = await runCli(['merge', a, '--out', out]);
    assert.equal(alone.code, 1);
    assert.match(alone.stderr, /missing shard 1\/2 \(got 1 of 2 parts\)/);
  });

  it('resumes a killed run from its checkpoint and ends with the same bytes', async () => {
    const out = join(dir, 'resumed.json');
    const checkpoint = `${out}.checkpoint`;
    const args = [
      'gallery',
      lenet,
      '--folder',
      fashion,
      '--layer',
      'pool2',
      '--out',
      out,
      '--checkpoint-every',
      '0',
      ...SAME_MACHINE,
    ];
    const child = spawn(process.execPath, [cliScript, ...args]);
    const exited = new Promise<NodeJS.Signals | null>((resolve) =>
      child.on('exit', (_code, signal) => resolve(signal)),
    );
    // Kill it as soon as the first batch of images is saved.
    while (!existsSync(checkpoint) && child.exitCode === null)
      await new Promise((r) => setTimeout(r, 10));
    child.kill('SIGKILL');
    assert.equal(await exited, 'SIGKILL', 'the run ended before it could be killed');
    assert.ok(!existsSync(out));
    const saved = JSON.parse(readFileSync(checkpoint, 'utf8'));
    const done = saved.done.length;
    assert.ok(done > 0 && done < 300, `checkpoint with ${done} images`);

    const rerun = await runCli(args);
    assert.equal(rerun.code, 0, rerun.stderr);
    assert.match(rerun.stderr, new RegExp(`resuming from .*: ${done} of 300 images already done`));
    assert.ok(readFileSync(out).equals(single), 'the resumed run differs from the single run');
    assert.ok(!existsSync(checkpoint), 'the checkpoint is removed once the file is written');
  });
  it('goes on when its checkpoint cannot be written, says so once, and writes the same bytes', async () => {
    const out = join(dir, 'no-checkpoint.json');
    const notAFolder = join(dir, 'not-a-folder');
    writeFileSync(notAFolder, '');
    const checkpoint = join(notAFolder, 'run.checkpoint');
    const run = await runCli([
      'gallery',
      lenet,
      '--folder',
      fashion,
      '--layer',
      'pool2',
      '--out',
      out,
      '--checkpoint',
      checkpoint,
      '--checkpoint-every',
      '0',
      ...SAME_MACHINE,
    ]);
    assert.equal(run.code, 0, run.stderr);
    const warnings = run.stderr.match(/could not save the checkpoint .*not-a-folder/g) ?? [];
    assert.equal(warnings.length, 1, run.stderr);
    assert.match(run.stderr, /ENOTDIR/);
    assert.ok(readFileSync(out).equals(single), 'the run differs from the single run');
  });
});
