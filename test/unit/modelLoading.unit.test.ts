import * as assert from 'node:assert/strict';
import { join } from 'node:path';
import { InspectionSession } from '../../src/analysis/inspectionSession';
import { InspectorError, type InspectorErrorKind } from '../../src/analysis/errors';
import { listModelExports, looksLikeModelFile } from '../../src/analysis/model/listModelExports';
import { resolveFileUrl } from '../../src/analysis/model/runtimeForModelFile';
import { testRuntime } from './helpers/runtime';

const models = join(__dirname, '..', 'fixtures', 'models');

async function openFails(
  file: string,
  kind: InspectorErrorKind,
  message: RegExp,
  line?: number,
  exportName?: string,
) {
  const runtime = await testRuntime();
  await assert.rejects(
    InspectionSession.open(runtime, join(models, file), exportName),
    (error: unknown) => {
      assert.ok(error instanceof InspectorError, `expected InspectorError, got ${String(error)}`);
      assert.equal(error.kind, kind, error.message);
      assert.match(error.message, message);
      if (line !== undefined) {
        assert.equal(error.location?.line, line, `line of: ${error.message}`);
        assert.ok(error.location?.file.endsWith(file), error.location?.file);
      }
      return true;
    },
  );
}

describe('model files', () => {
  it('loads a default export function and summarises its layers', async () => {
    const runtime = await testRuntime();
    const session = await InspectionSession.open(runtime, join(models, 'tiny.ts'), undefined);
    try {
      const { summary } = session;
      assert.equal(summary.exportName, 'default');
      assert.deepEqual(summary.inputShape, [4, 4, 1]);
      assert.deepEqual(
        summary.layers.map((l) => [
          l.name,
          l.className,
          l.outputShape.join('x'),
          l.params.trainable,
        ]),
        [
          ['sum2x2', 'Conv2D', '3x3x1', 5], // 2*2*1*1 weights + 1 bias
          ['pool', 'MaxPooling2D', '1x1x1', 0],
          ['flat', 'Flatten', '1', 0],
          ['out', 'Dense', '2', 4], // 1*2 weights + 2 biases
        ],
      );
      assert.deepEqual(summary.labels, ['dark', 'bright']);
      assert.equal(summary.totalParams, 9);
    } finally {
      session.dispose();
    }
  });

  it('loads named exports: a model value and an async factory, importing tfjs-node and tfjs-layers', async () => {
    const runtime = await testRuntime();
    const small = await InspectionSession.open(runtime, join(models, 'named.ts'), 'small');
    const large = await InspectionSession.open(runtime, join(models, 'named.ts'), 'large');
    try {
      assert.deepEqual(
        small.summary.layers.map((l) => l.params.trainable),
        [3 * 4 + 4, 4 * 2 + 2],
      );
      assert.deepEqual(
        large.summary.layers.map((l) => l.params.trainable),
        [3 * 8 + 8, 8 * 2 + 2],
      );
      // Without a default export, the first model export in alphabetical order is used.
      const first = await InspectionSession.open(runtime, join(models, 'named.ts'), undefined);
      assert.equal(first.summary.exportName, 'large');
      first.dispose();
    } finally {
      small.dispose();
      large.dispose();
    }
  });

  it('lists model exports without running the file', async () => {
    const listed = await listModelExports(join(models, 'named.ts'));
    assert.deepEqual(listed.exportNames, ['large', 'small']);
    const tiny = await listModelExports(join(models, 'tiny.ts'));
    assert.deepEqual(tiny.exportNames, ['default']); // `labels` is reserved
    const broken = await listModelExports(join(models, 'syntaxError.ts'));
    assert.match(broken.error ?? '', /syntaxError\.ts:4:\d+/);
  });

  it('recognises model files by their imports and calls', () => {
    assert.ok(
      looksLikeModelFile(
        "import * as tf from '@tensorflow/tfjs';\nexport default () => tf.sequential();",
      ),
    );
    assert.ok(!looksLikeModelFile("import * as fs from 'fs';\nexport const x = 1;"));
    assert.ok(!looksLikeModelFile("import * as tf from '@tensorflow/tfjs';\ntf.sequential();"));
  });

  it('resolves relative file:// URLs against the model file', () => {
    assert.equal(resolveFileUrl('file://./w/model.json', '/a/b/m.ts'), 'file:///a/b/w/model.json');
    assert.equal(resolveFileUrl('file://../model.json', '/a/b/m.ts'), 'file:///a/model.json');
    assert.equal(resolveFileUrl('file:///abs/model.json', '/a/b/m.ts'), 'file:///abs/model.json');
    assert.equal(resolveFileUrl('https://x/model.json', '/a/b/m.ts'), 'https://x/model.json');
  });

  describe('bad model files', () => {
    it('reports a syntax error at its line', () =>
      openFails('syntaxError.ts', 'syntax', /syntaxError\.ts:4:\d+: .*/, 4));

    it('reports an error thrown while building, at the throwing line of the TypeScript source', () =>
      openFails(
        'throws.ts',
        'runtime',
        /throws\.ts:5:\d+: too many filters: 3 \(thrown in export 'default'\)/,
        5,
      ));

    it('reports an error thrown while the file loads', () =>
      openFails(
        'throwsAtLoad.ts',
        'runtime',
        /throwsAtLoad\.ts:3:\d+: SyntaxError: .*JSON.*\(thrown while loading\)/,
        3,
      ));

    it('reports a file whose exports are not models', async () => {
      await openFails(
        'noModel.ts',
        'no-model',
        /noModel\.ts: export 'answer' is a number, not a tf\.LayersModel/,
      );
      await openFails(
        'noModel.ts',
        'no-model',
        /export 'notAModel' returned an object \(Object\), not a tf\.LayersModel/,
        undefined,
        'notAModel',
      );
    });

    it('reports a file with no exports', () =>
      openFails('nothingExported.ts', 'no-model', /nothingExported\.ts: exports no model/));

    it('reports an unknown export name with the ones that exist', () =>
      openFails(
        'named.ts',
        'export-not-found',
        /no model export named 'medium' \(model exports: large, small\)/,
        undefined,
        'medium',
      ));

    it('reports a package the workspace does not have', () =>
      openFails(
        'missingPackage.ts',
        'syntax',
        /missingPackage\.ts:2:\d+: Cannot find package 'left-pad-that-is-not-installed'/,
        2,
      ));
  });

  it('refuses a layer with an empty output at once, at its line, without leaking its weights', async () => {
    // conv2: a 15x15 kernel, 'valid' padding, on pool1's 14x14x6 output: floor((14 - 15) / 1) + 1
    // = 0 positions per axis, so 0x0x16; the layer is created on line 17 of the fixture.
    const runtime = await testRuntime();
    const baseline = runtime.tf.memory().numTensors;
    await openFails(
      'emptyOutput.ts',
      'layer',
      /emptyOutput\.ts:17:\d+: layer 'conv2' \(Conv2D\) has an empty output, 0\u00d70\u00d716, from a 14\u00d714\u00d76 input.* 15\u00d715 window with 'valid' padding/,
      17,
    );
    assert.equal(runtime.tf.memory().numTensors, baseline, 'tensor leak');
  });

  it('leaves no tensors behind after loading and disposing', async () => {
    const runtime = await testRuntime();
    const baseline = runtime.tf.memory().numTensors;
    for (let i = 0; i < 3; i++) {
      const session = await InspectionSession.open(runtime, join(models, 'tiny.ts'), undefined);
      session.dispose();
    }
    await openFails('throws.ts', 'runtime', /too many filters/);
    assert.equal(runtime.tf.memory().numTensors, baseline);
  });
});
