import * as assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { InspectionSession } from '../../src/analysis/inspectionSession';
import { userFrames } from '../../src/analysis/model/layerCreationSites';
import { scanModelSource } from '../../src/analysis/source/scanModelSource';
import { factsLine, instancesByCall, layerFacts } from '../../src/analysis/source/linkRunToSource';
import { describeChanges } from '../../src/analysis/source/modelChanges';
import type { ModelSummary } from '../../src/analysis/modelSummary';
import { testRuntime } from './helpers/runtime';

const models = join(__dirname, '..', 'fixtures', 'models');
const examples = join(__dirname, '..', '..', 'examples');

describe('layer creation sites', () => {
  it('maps every instance made by a helper in a loop to the helper line and the loop call site', async () => {
    const runtime = await testRuntime();
    const baseline = runtime.tf.memory().numTensors;
    const file = join(models, 'helperLoop.ts');
    const session = await InspectionSession.open(runtime, file, undefined);
    try {
      const { summary } = session;
      const sites = summary.creationSites!;
      const convs = summary.layers.filter((l) => l.className === 'Conv2D').map((l) => l.name);
      assert.equal(convs.length, 3);
      // helperLoop.ts: line 8 `return tfjs.layers.conv2d(` (conv2d at column 22), called at
      // line 13 column 15 (`convBlock(` in the loop), itself called at line 20 column 3.
      for (const name of convs) {
        assert.deepEqual(sites[name], {
          file,
          line: 8,
          column: 22,
          callers: [
            { file, line: 13, column: 15 },
            { file, line: 20, column: 3 },
          ],
        });
      }
      // A layer made in another file: the helper's own line, then the call in the model file.
      assert.deepEqual(sites.head, {
        file: join(models, 'lib', 'blocks.ts'),
        line: 4,
        column: 23,
        callers: [{ file, line: 22, column: 3 }],
      });
      assert.deepEqual(sites.flat, { file, line: 21, column: 25, callers: [] });

      // Joined to the static pass: the helper's call gets all three, the loop line lists them.
      const scan = scanModelSource(readFileSync(file, 'utf8'), file);
      const linked = instancesByCall(scan, summary, true);
      const helperCall = scan.layers.findIndex((l) => l.start.line === 8);
      assert.deepEqual(linked.byCall.get(helperCall), convs);
      assert.deepEqual(linked.byCallerLine.get(13), convs);
      assert.deepEqual(linked.byCallerLine.get(20), convs);
      // One layer through this call: the helper's own lens is enough.
      assert.equal(linked.byCallerLine.get(22), undefined);
      // After an unsaved edit positions mean nothing: only literal names are matched.
      const stale = instancesByCall(scan, summary, false);
      assert.equal(stale.byCall.get(helperCall), undefined);
      assert.deepEqual(stale.byCall.get(scan.layers.findIndex((l) => l.name === 'flat')), ['flat']);
    } finally {
      session.dispose();
    }
    assert.equal(runtime.tf.memory().numTensors, baseline);
  });

  it('gives LeNet facts for lenses: shape, parameters and receptive field derived by hand', async () => {
    const runtime = await testRuntime();
    const file = join(examples, 'lenet.ts');
    const session = await InspectionSession.open(runtime, file, 'lenetUntrained');
    try {
      const { summary, structure } = session;
      const scan = scanModelSource(readFileSync(file, 'utf8'), file);
      const linked = instancesByCall(scan, summary, true);
      // Every call of lenet.ts made exactly the layer it names, found by its site too.
      scan.layers.forEach((call, i) => assert.deepEqual(linked.byCall.get(i), [call.name]));
      assert.equal(summary.creationSites!.conv2.line, 38);
      // conv1: 'same' 5x5, 6 filters on 28x28x1: 28x28x6, 5*5*1*6 + 6 = 156 params, RF 5.
      // conv2: 'valid' 5x5 on pool1's 14x14x6: 10x10x16, 5*5*6*16 + 16 = 2416; RF 6 + 4*2 = 14.
      const line = (name: string) => factsLine(layerFacts(summary, structure, name)!);
      assert.equal(line('conv1'), '28x28x6 \u00b7 156 params \u00b7 RF 5x5');
      assert.equal(line('conv2'), '10x10x16 \u00b7 2,416 params \u00b7 RF 14x14');
      // fc1: 400 * 120 + 120 = 48,120 params; no spatial layout, so no RF.
      assert.equal(line('fc1'), '120 \u00b7 48.1k params');
      // conv1 MACs: 28*28 positions * 6 filters * 25 taps = 117,600.
      assert.equal(layerFacts(summary, structure, 'conv1')!.macs, 117_600);
    } finally {
      session.dispose();
    }
  });

  it('reads only the user frames of a stack, innermost first', () => {
    const stack = [
      'Error: layer created here',
      '    at convBlock (/ws/model.ts:8:22)',
      '    at Array.map (<anonymous>)',
      '    at /ws/node_modules/x/index.js:1:1',
      '    at build (/tmp/bundle.cjs:40:2)',
      '    at file:///ws/lib/h.ts:3:4',
      '    at resolveModel (/ext/dist/worker.js:100:1)',
    ].join('\n');
    assert.deepEqual(
      userFrames(stack, (f) => f.startsWith('/ws/')),
      [
        { file: '/ws/model.ts', line: 8, column: 22 },
        { file: '/ws/lib/h.ts', line: 3, column: 4 },
      ],
    );
    assert.deepEqual(
      userFrames(undefined, () => true),
      [],
    );
  });
});

describe('what changed between two runs', () => {
  const summary = (layers: [string, string, number[], number][]): ModelSummary => ({
    file: 'm.ts',
    exportName: 'default',
    modelName: 'm',
    inputShape: [28, 28, 1],
    layers: layers.map(([name, className, outputShape, params]) => ({
      name,
      className,
      outputShape,
      layout: 'spatial',
      params: { trainable: params, nonTrainable: 0 },
    })),
    totalParams: layers.reduce((s, l) => s + l[3], 0),
  });

  it('names shape and parameter changes, matching generated names by class and order', () => {
    const before = summary([
      ['conv1', 'Conv2D', [24, 24, 6], 156],
      ['conv2d_Conv2D1', 'Conv2D', [20, 20, 16], 2416],
      ['pool', 'MaxPooling2D', [10, 10, 16], 0],
    ]);
    const after = summary([
      ['conv1', 'Conv2D', [24, 24, 6], 156],
      ['conv2d_Conv2D7', 'Conv2D', [22, 22, 16], 880],
      ['flatten_Flatten8', 'Flatten', [7744], 0],
    ]);
    assert.deepEqual(
      describeChanges({ summary: before, structure: null }, { summary: after, structure: null }),
      [
        'conv2d_Conv2D7: output 20x20x16 -> 22x22x16, params 2416 -> 880',
        'flatten_Flatten8: added (Flatten, output 7744)',
        'pool: removed',
        'total params: 2572 -> 1036',
      ],
    );
    assert.deepEqual(
      describeChanges({ summary: before, structure: null }, { summary: before, structure: null }),
      [],
    );
  });
});
