// `cnn-inspector report --gallery-layer ... --gallery-folder ... --top-k ...` on the hand-set edge
// model (test/fixtures/gallery/edges.ts); expected values and boxes as derived in galleryEdges.
import * as assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ensureBuilt, repoRoot } from './helpers/build';
import { writeEdgeImages } from './helpers/edgeImages';

const model = join(__dirname, '..', 'fixtures', 'gallery', 'edges.ts');

function cli(...args: string[]) {
  const result = spawnSync(
    process.execPath,
    [join(repoRoot, 'dist', 'cli.js'), 'report', model, ...args],
    {
      encoding: 'utf8',
      timeout: 120_000,
    },
  );
  return { code: result.status, stdout: result.stdout, stderr: result.stderr };
}

describe('command-line report: gallery', function () {
  this.timeout(120_000);
  let dir: string;
  let images: string;
  before(() => {
    ensureBuilt();
    dir = mkdtempSync(join(tmpdir(), 'gallery-cli-'));
    images = join(dir, 'images');
    writeEdgeImages(images);
    writeFileSync(join(images, 'broken.png'), 'not an image');
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  it('adds the ranked units of the image and the folder gallery, boxes in input pixels', () => {
    const json = join(dir, 'r.json');
    const html = join(dir, 'r.html');
    const run = cli(
      '--image',
      join(images, 'a.png'),
      '--gallery-layer',
      'auto',
      '--gallery-folder',
      images,
      '--top-k',
      '2',
      '--json',
      json,
      '--out',
      html,
      '--backend',
      'wasm',
    );
    assert.equal(run.code, 0, run.stderr);
    const report = JSON.parse(readFileSync(json, 'utf8'));
    assert.equal(report.schemaVersion, 1);
    assert.equal(report.gallery.layer, 'pool');
    // a.png: unit 0 peaks at 3 in pool cell (1, 2); unit 1 at 1 in cell (0, 2).
    assert.deepEqual(report.gallery.image, [
      { unit: 0, max: 3, y: 1, x: 2, box: [2, 4, 8, 10] },
      { unit: 1, max: 1, y: 0, x: 2, box: [0, 4, 6, 10] },
    ]);
    const folder = report.gallery.folder.map(
      (u: { unit: number; patches: { file: string; y: number; x: number; box: number[] }[] }) => ({
        unit: u.unit,
        patches: u.patches.map((p) => [p.file.split('/').pop(), p.y, p.x, p.box]),
      }),
    );
    assert.deepEqual(folder, [
      {
        unit: 0,
        patches: [
          ['a.png', 1, 2, [2, 4, 8, 10]],
          ['c.png', 4, 0, [8, 0, 14, 6]],
        ],
      },
      {
        unit: 1,
        patches: [
          ['b.png', 2, 1, [4, 2, 10, 8]],
          ['a.png', 0, 2, [0, 4, 6, 10]],
        ],
      },
    ]);
    assert.deepEqual(
      report.gallery.skipped.map((s: { file: string }) => s.file.split('/').pop()),
      ['broken.png'],
    );
    const page = readFileSync(html, 'utf8');
    assert.match(page, /"galleryImage"/);
    assert.match(page, /"galleryFolder"/);
  });

  it('names a layer that has no gallery, and refuses bad flags with status 2', () => {
    const image = join(images, 'a.png');
    const flatten = cli('--image', image, '--gallery-layer', 'flatten', '--backend', 'wasm');
    assert.equal(flatten.code, 1);
    assert.match(
      flatten.stderr,
      /layer 'flatten' \(Flatten\) is not a 2-D convolution or pooling layer/,
    );
    const noLayer = cli('--image', image, '--gallery-folder', images);
    assert.equal(noLayer.code, 2);
    assert.match(noLayer.stderr, /need --gallery-layer/);
    const badK = cli('--image', image, '--gallery-layer', 'pool', '--top-k', '0');
    assert.equal(badK.code, 2);
    assert.match(badK.stderr, /--top-k must be a whole number/);
    const notFolder = cli('--image', image, '--gallery-layer', 'pool', '--gallery-folder', image);
    assert.equal(notFolder.code, 2);
    assert.match(notFolder.stderr, /not a folder/);
  });
});
