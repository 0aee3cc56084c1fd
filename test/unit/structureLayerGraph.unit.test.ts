import { strict as assert } from 'node:assert';
import * as tf from '@tensorflow/tfjs';
import {
  computeReceptiveFields,
  countModel,
  extractLayerGraph,
  type LayerGraph,
} from '../../src/analysis/structure';
import { applyTo } from './structureModels';

/** A custom layer this analysis cannot know: it has a weight and keeps its input's shape. */
class MyBlur extends tf.layers.Layer {
  static className = 'MyBlur';
  override build(inputShape: tf.Shape | tf.Shape[]): void {
    const shape = inputShape as tf.Shape;
    this.addWeight(
      'strength',
      [shape[shape.length - 1] as number],
      'float32',
      tf.initializers.ones(),
    );
    this.built = true;
  }
  override computeOutputShape(inputShape: tf.Shape | tf.Shape[]): tf.Shape | tf.Shape[] {
    return inputShape;
  }
  override call(inputs: tf.Tensor | tf.Tensor[]): tf.Tensor {
    return tf.clone(Array.isArray(inputs) ? inputs[0] : inputs);
  }
}

/** A custom layer with two outputs. */
class TwoHeads extends tf.layers.Layer {
  static className = 'TwoHeads';
  override computeOutputShape(inputShape: tf.Shape | tf.Shape[]): tf.Shape[] {
    const shape = inputShape as tf.Shape;
    return [shape, shape];
  }
  override call(inputs: tf.Tensor | tf.Tensor[]): tf.Tensor[] {
    const x = Array.isArray(inputs) ? inputs[0] : inputs;
    return [tf.clone(x), tf.neg(x)];
  }
}

function withModel<T>(
  build: () => tf.LayersModel,
  use: (graph: LayerGraph) => T,
  extra: tf.layers.Layer[] = [],
): T {
  const before = tf.memory().numTensors;
  const model = build();
  try {
    return use(extractLayerGraph(model));
  } finally {
    model.dispose();
    for (const layer of extra) layer.dispose();
    assert.equal(tf.memory().numTensors, before, 'tensor leak');
  }
}

describe('structure: layer graph', () => {
  before(async () => {
    await tf.setBackend('cpu');
  });

  it('describes a branching functional model as plain data', () => {
    withModel(
      () => {
        const input = tf.input({ shape: [12, 10, 3], name: 'img' });
        const a = applyTo(
          tf.layers.conv2d({
            filters: 4,
            kernelSize: [3, 5],
            strides: [1, 2],
            padding: 'same',
            name: 'a',
          }),
          input,
        );
        const b = applyTo(tf.layers.averagePooling2d({ poolSize: [1, 2], name: 'b' }), input);
        const cat = applyTo(tf.layers.concatenate({ name: 'cat' }), [a, b]);
        const bn = applyTo(tf.layers.batchNormalization({ name: 'bn' }), cat);
        return tf.model({ inputs: input, outputs: bn });
      },
      (graph) => {
        assert.deepEqual(graph.inputNames, ['img']);
        assert.deepEqual(graph.outputNames, ['bn']);
        assert.deepEqual(
          graph.layers.map((l) => [l.name, l.kind]),
          [
            ['img', 'input'],
            ['a', 'conv'],
            ['b', 'pooling'],
            ['cat', 'merge'],
            ['bn', 'elementwise'],
          ],
        );
        const [img, a, b, cat, bn] = graph.layers;
        assert.deepEqual(img.outputShape, [12, 10, 3]);
        assert.deepEqual(a.geometry.kernelSize, [3, 5]);
        assert.deepEqual(a.geometry.strides, [1, 2]);
        assert.deepEqual(a.geometry.dilationRate, [1, 1]);
        assert.equal(a.geometry.padding, 'same');
        assert.equal(a.geometry.spatialRank, 2);
        assert.deepEqual(a.outputShape, [12, 5, 4]);
        assert.deepEqual(b.geometry.poolSize, [1, 2]);
        assert.deepEqual(b.geometry.strides, [1, 2]);
        assert.deepEqual(cat.inbound, ['a', 'b']);
        assert.deepEqual(cat.inputShapes, [
          [12, 5, 4],
          [12, 5, 3],
        ]);
        assert.deepEqual(
          bn.weights.map((w) => [w.shape, w.trainable]),
          [
            [[7], true],
            [[7], true],
            [[7], false],
            [[7], false],
          ],
        );
        // Serialisable: survives JSON unchanged.
        assert.deepEqual(JSON.parse(JSON.stringify(graph)), graph);
      },
    );
  });

  it('an unknown custom layer keeps its parameters but has no field or compute', () => {
    withModel(
      () => {
        const input = tf.input({ shape: [8, 8, 2] });
        const conv = applyTo(tf.layers.conv2d({ filters: 3, kernelSize: 3, name: 'conv' }), input);
        const blur = applyTo(new MyBlur({ name: 'blur' }), conv);
        const after = applyTo(tf.layers.conv2d({ filters: 1, kernelSize: 1, name: 'after' }), blur);
        return tf.model({ inputs: input, outputs: after });
      },
      (graph) => {
        const blur = graph.layers.find((l) => l.name === 'blur');
        assert.equal(blur?.kind, 'unknown');
        assert.equal(blur?.className, 'MyBlur');
        const fields = computeReceptiveFields(graph);
        assert.equal(fields.byName.blur.axes, null);
        assert.match(fields.byName.blur.reason ?? '', /unknown layer class 'MyBlur'/);
        assert.match(fields.byName.after.reason ?? '', /downstream of 'blur' \(MyBlur\)/);
        assert.deepEqual(fields.byName.conv.axes?.[0], { size: 3, jump: 1, padding: 0 });
        const counts = countModel(graph);
        const blurCounts = counts.layers.find((l) => l.name === 'blur');
        assert.equal(blurCounts?.totalParams, 3);
        assert.equal(blurCounts?.macs, null);
        assert.deepEqual(counts.totals.layersWithUnknownMacs, ['blur']);
        // known layers still add up: conv 36 positions x 9 x 2 x 3, after 36 x 3 x 1
        assert.equal(counts.totals.macs, 36 * 9 * 2 * 3 + 36 * 3);
      },
    );
  });

  it('a layer with two outputs is described, and fields stop there', () => {
    withModel(
      () => {
        const input = tf.input({ shape: [6, 6, 1] });
        const heads = new TwoHeads({ name: 'heads' }).apply(input) as tf.SymbolicTensor[];
        assert.equal(heads.length, 2);
        const pool = applyTo(tf.layers.maxPooling2d({ poolSize: 2, name: 'pool' }), heads[1]);
        return tf.model({ inputs: input, outputs: [heads[0], pool] });
      },
      (graph) => {
        const heads = graph.layers.find((l) => l.name === 'heads');
        assert.ok(heads);
        assert.deepEqual(heads.outputShapes, [
          [6, 6, 1],
          [6, 6, 1],
        ]);
        assert.equal(heads.outputShape, null);
        const pool = graph.layers.find((l) => l.name === 'pool');
        assert.deepEqual(pool?.inboundOutputIndex, [1]);
        const fields = computeReceptiveFields(graph);
        assert.equal(fields.byName.heads.axes, null);
        assert.match(fields.byName.heads.reason ?? '', /2 outputs/);
        assert.equal(fields.byName.pool.axes, null);
        assert.equal(
          countModel(graph).layers.find((l) => l.name === 'heads')?.activationBytes,
          2 * 36 * 4,
        );
      },
    );
  });

  it('a shared layer is described by its first application', () => {
    const shared = tf.layers.conv2d({ filters: 2, kernelSize: 3, padding: 'same', name: 'shared' });
    withModel(
      () => {
        const input = tf.input({ shape: [8, 8, 2] });
        const first = applyTo(shared, input);
        const second = applyTo(shared, first);
        const fromFirst = applyTo(
          tf.layers.activation({ activation: 'relu', name: 'fromFirst' }),
          first,
        );
        const fromSecond = applyTo(
          tf.layers.activation({ activation: 'relu', name: 'fromSecond' }),
          second,
        );
        return tf.model({ inputs: input, outputs: [fromFirst, fromSecond] });
      },
      (graph) => {
        const node = graph.layers.find((l) => l.name === 'shared');
        assert.equal(node?.applications, 2);
        assert.equal(node?.extraApplications.length, 1);
        assert.deepEqual(node?.extraApplications[0].inbound, ['shared']);
        assert.match(node?.warnings.join(' ') ?? '', /applied 2 times/);
        const fields = computeReceptiveFields(graph);
        assert.deepEqual(fields.byName.fromFirst.axes?.[0], { size: 3, jump: 1, padding: 1 });
        assert.equal(fields.byName.fromSecond.axes, null);
        assert.match(
          fields.byName.fromSecond.reason ?? '',
          /application 2 of the shared layer 'shared'/,
        );
      },
      [shared],
    );
  });

  it('a nested model is one node whose parameters and compute come from inside', () => {
    withModel(
      () => {
        const inner = tf.sequential({
          name: 'block',
          layers: [
            tf.layers.conv2d({
              inputShape: [6, 6, 4],
              filters: 8,
              kernelSize: 3,
              name: 'inner_conv',
            }),
            tf.layers.batchNormalization({ name: 'inner_bn' }),
          ],
        });
        const input = tf.input({ shape: [8, 8, 1] });
        const stem = applyTo(tf.layers.conv2d({ filters: 4, kernelSize: 3, name: 'stem' }), input);
        return tf.model({ inputs: input, outputs: applyTo(inner, stem) });
      },
      (graph) => {
        const block = graph.layers.find((l) => l.name === 'block');
        assert.equal(block?.kind, 'model');
        assert.deepEqual(block?.nested?.layers.map((l) => l.name).slice(1), [
          'inner_conv',
          'inner_bn',
        ]);
        const counts = countModel(graph);
        const blockCounts = counts.layers.find((l) => l.name === 'block');
        // inner conv 3*3*4*8 + 8 = 296 trainable; bn gamma/beta 16 trainable, mean/var 16 not
        assert.equal(blockCounts?.trainableParams, 296 + 16);
        assert.equal(blockCounts?.nonTrainableParams, 16);
        // 4x4 positions x 9 x 4 x 8
        assert.equal(blockCounts?.macs, 16 * 9 * 4 * 8);
        assert.equal(counts.totals.totalParams, 3 * 3 * 1 * 4 + 4 + 296 + 32);
      },
    );
  });
});
