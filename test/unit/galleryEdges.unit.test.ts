// The gallery on a model whose filters are set by hand (test/fixtures/gallery/edges.ts) and images
// whose lines are placed by hand (helpers/edgeImages.ts). Expected values and boxes are derived on
// paper: `edges` is a 3x3 valid convolution, `pool` takes 4x4 windows with stride 2, so pool unit
// (p, q) sees input rows 2p .. 2p+5 and columns 2q .. 2q+5 (box [2p, 2q, 2p+6, 2q+6)).
// A vertical line of value v, 3 pixels tall at column c, gives unit 0 a conv peak of 3v/255 at
// column c-2 (the row where the 3x3 window covers the whole line); pooling spreads it over a 2x2
// plateau of pool cells, whose first cell in row-major order is the candidate.
import * as assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { InspectionSession } from '../../src/analysis/inspectionSession';
import { processImages } from '../../src/analysis/gallery/processImages';
import { computeLayerForImage } from '../../src/analysis/gallery/layerProbe';
import { rankUnits } from '../../src/analysis/gallery/imagePatches';
import { defaultGalleryLayer } from '../../src/analysis/gallery/chooseLayer';
import type { FolderImage, GalleryPatch } from '../../src/analysis/gallery/types';
import { InspectorError } from '../../src/analysis/errors';
import { testRuntime } from './helpers/runtime';
import { NMS_IMAGE, writeEdgeImages } from './helpers/edgeImages';

const modelFile = join(__dirname, '..', 'fixtures', 'gallery', 'edges.ts');

function brief(patches: GalleryPatch[]) {
  return patches.map((p) => ({
    file: p.file.split('/').pop(),
    y: p.y,
    x: p.x,
    value: Number(p.value.toFixed(4)),
    box: p.box,
  }));
}

describe('gallery on hand-set edge filters', function () {
  this.timeout(60_000);
  let session: InspectionSession;
  let dir: string;
  let files: FolderImage[];
  let baseline: number;

  before(async () => {
    const runtime = await testRuntime();
    session = await InspectionSession.open(runtime, modelFile, undefined);
    dir = mkdtempSync(join(tmpdir(), 'gallery-edges-'));
    files = writeEdgeImages(dir).map((path, i) => ({ path, hash: `h${i}` }));
    baseline = session.tf.memory().numTensors;
  });
  after(() => {
    session.dispose();
    rmSync(dir, { recursive: true, force: true });
  });
  afterEach(() => assert.equal(session.tf.memory().numTensors, baseline, 'no tensor leaked'));

  it('chooses the pooling layer before the classifier by default', () => {
    assert.equal(defaultGalleryLayer(session.structure!), 'pool');
  });

  it('computes the pool layer for an image with the values derived on paper', async () => {
    const { map } = await computeLayerForImage(session, files[0].path, 'pool');
    assert.deepEqual(map.shape, [6, 6, 2]);
    // a.png: vertical line at column 9, rows 4..6 -> unit 0 column q = 2 and 3 holds 2, 3, 3, 1, 0, 0.
    const column = [0, 1, 2, 3, 4, 5].map((p) => map.data[(p * 6 + 2) * 2]);
    assert.deepEqual(column, [2, 3, 3, 1, 0, 0]);
  });

  it('ranks units on one image by their maximum, with the field of the strongest position', async () => {
    const { map } = await computeLayerForImage(session, files[1].path, 'pool'); // b.png
    const field = session.structure!.layers.find((l) => l.name === 'pool')!.receptiveField;
    const ranking = rankUnits(map, field, 16, 16);
    // b.png: horizontal line at row 9, columns 4..6: unit 1 peaks at 3 (cell (2, 1)), unit 0 at 1 (cell (2, 0)).
    assert.deepEqual(
      ranking.map((r) => [r.unit, r.max, r.y, r.x, r.box, r.clipped]),
      [
        [1, 3, 2, 1, [4, 2, 10, 8], [4, 2, 10, 8]],
        [0, 1, 2, 0, [4, 0, 10, 6], [4, 0, 10, 6]],
      ],
    );
  });

  it('keeps the expected top patches per unit, strongest first, ties by file', async () => {
    const result = await processImages(session, 'pool', files, { topK: 3, nmsIoU: 0.3 });
    assert.deepEqual(brief(result.units[0].patches), [
      { file: 'a.png', y: 1, x: 2, value: 3, box: [2, 4, 8, 10] },
      { file: 'c.png', y: 4, x: 0, value: 3, box: [8, 0, 14, 6] },
      // the 128-valued line: 3 * 128 / 255
      {
        file: 'c.png',
        y: 0,
        x: 4,
        value: Number(((3 * 128) / 255).toFixed(4)),
        box: [0, 8, 6, 14],
      },
    ]);
    assert.deepEqual(brief(result.units[1].patches), [
      { file: 'b.png', y: 2, x: 1, value: 3, box: [4, 2, 10, 8] },
      // the upper ends of vertical lines: the horizontal filter sees one bright column, value 1
      { file: 'a.png', y: 0, x: 2, value: 1, box: [0, 4, 6, 10] },
      { file: 'c.png', y: 3, x: 0, value: 1, box: [6, 0, 12, 6] },
    ]);
    assert.equal(result.processed.length, 3);
    assert.deepEqual(result.skipped, []);
  });

  it('suppresses a weaker patch whose field overlaps a stronger one in the same image (NMS)', async () => {
    const [file] = writeEdgeImages(dir, { 'd.png': NMS_IMAGE });
    const image = [{ path: file, hash: 'd' }];
    // Candidates: (1, 2) = 3 with box [2, 4, 8, 10], and (1, 0) = 3 * 200 / 255 with box [2, 0, 8, 6].
    // Overlap: 6 rows x 2 columns = 12 of a union of 36 + 36 - 12 = 60 pixels: IoU 0.2.
    const loose = await processImages(session, 'pool', image, { topK: 5, nmsIoU: 0.3 });
    assert.deepEqual(
      loose.units[0].patches.map((p) => [p.y, p.x, p.box]),
      [
        [1, 2, [2, 4, 8, 10]],
        [1, 0, [2, 0, 8, 6]],
      ],
    );
    assert.ok(Math.abs(loose.units[0].patches[1].value - 600 / 255) < 1e-5);
    const strict = await processImages(session, 'pool', image, { topK: 5, nmsIoU: 0.1 });
    assert.deepEqual(
      strict.units[0].patches.map((p) => [p.y, p.x, p.box]),
      [[1, 2, [2, 4, 8, 10]]],
    );
  });

  it('skips and reports a broken image, and goes on with the others', async () => {
    const broken = join(dir, 'broken.png');
    writeFileSync(broken, Buffer.from('\x89PNG\r\n\x1a\nthis is not a png'));
    const result = await processImages(
      session,
      'pool',
      [files[0], { path: broken, hash: 'x' }, files[1]],
      { topK: 3, nmsIoU: 0.3 },
    );
    assert.deepEqual(
      result.processed.map((f) => f.path),
      [files[0].path, files[1].path],
    );
    assert.equal(result.skipped.length, 1);
    assert.equal(result.skipped[0].file, broken);
    assert.match(result.skipped[0].reason, /broken\.png/);
  });

  it('stops between files when cancelled, leaving no tensor behind', async () => {
    const controller = new AbortController();
    controller.abort();
    await assert.rejects(
      processImages(session, 'pool', files, { topK: 3, nmsIoU: 0.3 }, {}, controller.signal),
      (e: unknown) => e instanceof InspectorError && e.kind === 'cancelled',
    );
  });

  it('refuses a layer without a spatial receptive field, naming the layers it can use', async () => {
    await assert.rejects(
      processImages(session, 'flatten', files, { topK: 3, nmsIoU: 0.3 }),
      /layer 'flatten' \(Flatten\) is not a 2-D convolution or pooling layer.*gallery layers: edges, pool/,
    );
    await assert.rejects(
      processImages(session, 'nope', files, { topK: 3, nmsIoU: 0.3 }),
      /no layer 'nope'/,
    );
  });
});
