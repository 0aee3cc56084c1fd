// Weight files and folders as users have them: a named pipe listed in model.json is refused at
// once (it used to block the worker until the timeout), and folders whose names hold '%', '#' or
// spaces load their relative `file://` weights (the path used to be decoded twice).
import * as assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { filePathFromUrl, fileSystemSaveHandler } from '../../src/analysis/model/fileSystemIO';
import { resolveFileUrl } from '../../src/analysis/model/runtimeForModelFile';
import { InspectionSession } from '../../src/analysis/inspectionSession';
import { testRuntime } from './helpers/runtime';
import { repoRoot } from './helpers/build';

/** Loads `modelJson` with the extension's handler in a child process (a blocking read cannot hang this one). */
function loadInChild(modelJson: string) {
  const script = `require('./src/analysis/model/fileSystemIO').fileSystemLoadHandler(${JSON.stringify(modelJson)}).load().then(() => console.log('loaded'), (e) => console.log('refused: ' + e.message))`;
  const started = Date.now();
  const run = spawnSync(process.execPath, ['-r', 'tsx/cjs', '-e', script], {
    cwd: repoRoot,
    encoding: 'utf8',
    timeout: 30_000,
  });
  return { ...run, ms: Date.now() - started };
}

describe('model files and weight paths (hardening)', function () {
  this.timeout(120_000);
  const dir = mkdtempSync(join(tmpdir(), 'cnn-model-files-'));
  before(async () => {
    await testRuntime(); // the saves below run on the tests' backend
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  async function saveTinyModel(folder: string): Promise<void> {
    const model = tf.sequential({
      layers: [tf.layers.dense({ inputShape: [2], units: 1, useBias: false, name: 'd' })],
    });
    model.getLayer('d').setWeights([tf.tensor2d([[2], [3]])]);
    await model.save(fileSystemSaveHandler(folder));
    model.dispose();
  }

  it('refuses a named pipe listed as a weight file at once, naming it', async () => {
    const folder = join(dir, 'fifo-weights');
    await saveTinyModel(folder);
    rmSync(join(folder, 'weights.bin'));
    execFileSync('mkfifo', [join(folder, 'weights.bin')]);
    const run = loadInChild(join(folder, 'model.json'));
    assert.equal(run.signal, null, `the load blocked for ${run.ms} ms`);
    assert.match(
      run.stdout,
      /refused: Weights file .*fifo-weights\/weights\.bin cannot be read: it is a named pipe \(FIFO\), not a regular file/,
    );
  });

  it('refuses a named pipe as model.json at once', async () => {
    const folder = join(dir, 'fifo-json');
    mkdirSync(folder);
    execFileSync('mkfifo', [join(folder, 'model.json')]);
    const run = loadInChild(join(folder, 'model.json'));
    assert.equal(run.signal, null, `the load blocked for ${run.ms} ms`);
    assert.match(
      run.stdout,
      /refused: Cannot read model file .*fifo-json\/model\.json: it is a named pipe \(FIFO\), not a regular file/,
    );
  });

  for (const name of ['100% sure', 'run #3', 'a%20b']) {
    it(`resolves relative file:// weights of a model file in a folder named '${name}'`, async () => {
      const folder = join(dir, name);
      const modelFile = join(folder, 'model.ts');
      assert.equal(
        filePathFromUrl(resolveFileUrl('file://./w/model.json', modelFile) as string),
        join(folder, 'w', 'model.json'),
      );
      await saveTinyModel(join(folder, 'w'));
      writeFileSync(
        modelFile,
        "import * as tf from '@tensorflow/tfjs';\nexport default () => tf.loadLayersModel('file://./w/model.json');\n",
      );
      const session = await InspectionSession.open(await testRuntime(), modelFile, undefined);
      try {
        assert.equal(session.summary.totalParams, 2);
      } finally {
        session.dispose();
      }
    });
  }
});
