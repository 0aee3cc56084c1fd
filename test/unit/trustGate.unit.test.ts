// The workspace-trust gate of the model worker clients: a refusing gate stops every path that would
// run workspace code (a single request, the gallery's pool of workers) before any thread starts.
// A tripwire model file writes a marker file when it runs, so "nothing ran" is observed directly.
import * as assert from 'node:assert/strict';
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { InspectorError } from '../../src/analysis/errors';
import { buildFolderGallery } from '../../src/host/folderGallery';
import { WorkerClient } from '../../src/host/workerClient';
import type { WorkerConfig } from '../../src/protocol/worker/workerProtocol';
import { ensureBuilt, repoRoot } from './helpers/build';

const config: WorkerConfig = { backend: 'cpu', searchDirs: [], maxImageMegapixels: 100 };
const fashion = join(repoRoot, 'examples', 'images', 'fashion-mnist');

/** A model file (LeNet's input size) that leaves `marker` behind when it is run. */
export function writeTripwireModel(dir: string): { file: string; marker: string } {
  const file = join(dir, 'tripwire.ts');
  const marker = join(dir, 'tripwire.ran');
  writeFileSync(
    file,
    `import * as tf from '@tensorflow/tfjs';
import { writeFileSync } from 'node:fs';
writeFileSync(${JSON.stringify(marker)}, 'workspace code ran');
export default function tripwire() {
  const model = tf.sequential();
  model.add(tf.layers.conv2d({ name: 'conv', inputShape: [28, 28, 1], filters: 2, kernelSize: 3 }));
  model.add(tf.layers.maxPooling2d({ name: 'pool', poolSize: 2 }));
  return model;
}
`,
  );
  return { file, marker };
}

class Untrusted extends InspectorError {
  constructor() {
    super('usage', 'untrusted workspace (test gate)');
  }
}
const refuse = () => {
  throw new Untrusted();
};

describe('workspace-trust gate of the model workers', function () {
  this.timeout(120_000);
  const dir = mkdtempSync(join(tmpdir(), 'cnn-trust-gate-'));
  const { file, marker } = writeTripwireModel(dir);
  before(() => ensureBuilt());
  after(() => rmSync(dir, { recursive: true, force: true }));
  afterEach(() => rmSync(marker, { force: true }));

  it('a refusing gate stops a request before a worker starts; an open one runs it', async () => {
    let open = false;
    const client = new WorkerClient({
      workerScript: join(repoRoot, 'dist', 'worker.js'),
      memoryLimitMb: 512,
      gate: () => {
        if (!open) refuse();
      },
    });
    try {
      const request = () =>
        client.request(
          { type: 'loadModel', config, model: { file }, reload: false },
          { timeoutMs: 60_000 },
        );
      await assert.rejects(request(), Untrusted);
      assert.equal(client.running, false, 'a worker thread was started');
      assert.equal(existsSync(marker), false, 'the model file ran');
      open = true; // the tripwire works: with the gate open the file runs
      await request();
      assert.equal(existsSync(marker), true);
    } finally {
      client.dispose();
    }
  });

  it('the gallery pool asks the gate before its workers load the model', async () => {
    const images = join(dir, 'images');
    mkdirSync(images);
    for (const name of ['000-ankle-boot.png', '001-pullover.png', '002-trouser.png'])
      copyFileSync(join(fashion, name), join(images, name));
    // What the controller had cached from an earlier, trusted run: the gate must not rely on it.
    const trusted = new WorkerClient({
      workerScript: join(repoRoot, 'dist', 'worker.js'),
      memoryLimitMb: 512,
    });
    const info = await trusted
      .request({ type: 'galleryInfo', config, model: { file } }, { timeoutMs: 60_000 })
      .finally(() => trusted.dispose());
    assert.equal(info.layer, 'pool');
    rmSync(marker);
    await assert.rejects(
      buildFolderGallery({
        folder: images,
        info,
        model: { file },
        exportName: 'default',
        config,
        options: { topK: 3, nmsIoU: 0.3 },
        timeoutMs: 60_000,
        pool: {
          workerScript: join(repoRoot, 'dist', 'worker.js'),
          memoryLimitMb: 512,
          workers: 2,
          gate: refuse,
        },
      }),
      Untrusted,
    );
    assert.equal(existsSync(marker), false, 'a gallery worker ran the model file');
  });
});
