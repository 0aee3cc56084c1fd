/**
 * Compares an imported ONNX model's layers with PyTorch's recorded activations (the fixtures of
 * helpers/onnxFixtures.ts), after NCHW -> NHWC.
 */
import { strict as assert } from 'node:assert';
import * as tf from '@tensorflow/tfjs';
import { loadOnnxFile, type LoadedOnnxModel } from '../../../src/analysis/onnx/loadOnnxModel';
import { countModel, extractLayerGraph } from '../../../src/analysis/structure';
import type { ValueLocation } from '../../../src/analysis/onnx/buildLayersModel';
import type { ArrayND } from '../../../src/analysis/explain/types';
import type { Fixture } from './onnxFixtures';
import { chainSteps, layersTo } from '../../../src/analysis/explain/chain';
import { projectUnit, type ProjectionMethod } from '../../../src/analysis/explain/projection';

/** A layer's output as PyTorch lays it out (NCHW, NCHW flatten order), computed with tf ops. */
function toOnnxLayout(t: tf.Tensor, where: ValueLocation): tf.Tensor {
  return tf.tidy(() => {
    switch (where.layout) {
      case 'nhwc':
        return tf.transpose(t, [0, 3, 1, 2]);
      case 'flatNhwc': {
        const [c, h, w] = where.flattenedFrom!;
        return tf.reshape(tf.transpose(tf.reshape(t, [1, h, w, c]), [0, 3, 1, 2]), [1, c * h * w]);
      }
      default:
        return tf.reshape(t, where.shape);
    }
  });
}

/** max |a - b| / max |b| (a layer of zeros must be zeros). */
export function relativeError(actual: Float32Array, expected: Float32Array): number {
  let diff = 0;
  let scale = 0;
  for (let i = 0; i < expected.length; i++) {
    diff = Math.max(diff, Math.abs(actual[i] - expected[i]));
    scale = Math.max(scale, Math.abs(expected[i]));
  }
  return scale === 0 ? diff : diff / scale;
}

/** A node that needs no layer (Flatten of a value that is flat already) reads as its input. */
export function aliased(loaded: LoadedOnnxModel, name: string): boolean {
  const node = loaded.graph.nodes.find((n) => n.name === name);
  const location = node && loaded.values.get(node.outputs[0]);
  return !!location && location.layer !== name;
}

export interface Comparison {
  value: string;
  key: string;
  error: number;
}

/** Runs the imported model once and compares every value PyTorch recorded for it. */
export function compareActivations(fixture: Fixture, loaded: LoadedOnnxModel): Comparison[] {
  const { oracle } = fixture;
  const nodesByName = new Map(loaded.graph.nodes.map((n) => [n.name, n]));
  const checks: { value: string; key: string; expected: Float32Array; shape: number[] }[] = [];
  for (const [key, entry] of Object.entries(oracle.modules)) {
    const node = nodesByName.get(key);
    if (!node) continue;
    if (!oracle.foldedConvs.includes(key)) {
      checks.push({
        value: node.outputs[0],
        key,
        expected: fixture.tensor(entry.output),
        shape: entry.output.shape,
      });
    }
    // A module exported as several nodes (Pad + AveragePool) reads its input at its first node.
    const first = loaded.graph.nodes.find(
      (n) =>
        n.name === key || new RegExp(`^${key.replace(/\./g, '\\.')}\\.[A-Z]\\w*$`).test(n.name),
    );
    const input = (first ?? node).inputs[0];
    if (entry.input && loaded.values.has(input) && input !== loaded.graph.input.name) {
      checks.push({
        value: input,
        key: `${key} (input)`,
        expected: fixture.tensor(entry.input),
        shape: entry.input.shape,
      });
    }
  }
  const finalName = loaded.graph.outputs[0].name;
  checks.push({
    value: finalName,
    key: 'output',
    expected: fixture.tensor(oracle.output),
    shape: oracle.output.shape,
  });
  const locations = checks.map((c) => loaded.values.get(c.value)!);
  const layers = [...new Set(locations.map((l) => l.layer))];
  const probe = tf.model({
    inputs: loaded.model.inputs,
    outputs: layers.map((l) => loaded.model.getLayer(l).output as tf.SymbolicTensor),
  });
  const [, c, h, w] = oracle.inputShape;
  return tf.tidy(() => {
    const x = tf.transpose(tf.tensor4d(fixture.input, [1, c, h, w]), [0, 2, 3, 1]);
    const outputs = ([] as tf.Tensor[]).concat(probe.predict(x) as tf.Tensor | tf.Tensor[]);
    return checks.map((check, i) => {
      const actual = toOnnxLayout(outputs[layers.indexOf(locations[i].layer)], locations[i]);
      assert.deepEqual(actual.shape, check.shape, `${check.key}: shape`);
      return {
        value: check.value,
        key: check.key,
        error: relativeError(actual.dataSync() as Float32Array, check.expected),
      };
    });
  });
}

/**
 * Imports the fixture's file and checks every activation PyTorch recorded (to `tolerance`
 * relative), that every PyTorch module that is a node of its own is a layer of the same name,
 * each layer's parameter count against what its node reads, and that no tensor leaks.
 */
export async function checkAgainstPyTorch(fixture: Fixture, tolerance: number): Promise<void> {
  const before = tf.memory().numTensors;
  const loaded = await loadOnnxFile(tf, fixture.modelFile);
  const comparisons = compareActivations(fixture, loaded);
  const bad = comparisons.filter((c) => !(c.error <= tolerance));
  assert.deepEqual(bad, [], `layers off PyTorch: ${JSON.stringify(bad.slice(0, 5))}`);
  const skipped = new Set([
    'Dropout',
    'Identity',
    'StochasticDepth', // an identity in eval mode: no node
    ...(fixture.oracle.foldedConvs.length ? ['BatchNorm2d'] : []),
  ]);
  const missed = Object.entries(fixture.oracle.modules)
    .filter(([key, m]) => !skipped.has(m.type) && !loaded.model.layers.some((l) => l.name === key))
    .filter(([key]) => !aliased(loaded, key))
    .map(([key]) => key);
  assert.deepEqual(missed, [], 'modules without a layer of the same name');
  const counts = countModel(extractLayerGraph(loaded.model));
  const params = new Map(counts.layers.map((l) => [l.name, l.totalParams]));
  for (const [key, expected] of Object.entries(fixture.oracle.expectedParams)) {
    if (params.has(key)) assert.equal(params.get(key), expected, `${key}: parameters`);
  }
  loaded.model.dispose();
  assert.equal(tf.memory().numTensors, before, 'tensors leaked');
}

/** Every layer's output (no batch, channels last) for the fixture's input. */
export function layerOutputs(fixture: Fixture, loaded: LoadedOnnxModel): Map<string, ArrayND> {
  const [, c, h, w] = fixture.oracle.inputShape;
  const layers = loaded.model.layers.slice(1);
  const probe = tf.model({
    inputs: loaded.model.inputs,
    outputs: layers.map((l) => l.output as tf.SymbolicTensor),
  });
  const outputs = new Map<string, ArrayND>();
  tf.tidy(() => {
    const x = tf.transpose(tf.tensor4d(fixture.input, [1, c, h, w]), [0, 2, 3, 1]);
    const ys = ([] as tf.Tensor[]).concat(probe.predict(x) as tf.Tensor | tf.Tensor[]);
    ys.forEach((y, i) =>
      outputs.set(layers[i].name, {
        data: Float32Array.from(y.dataSync()),
        shape: y.shape.slice(1),
      }),
    );
  });
  return outputs;
}

export function nhwc(fixture: Fixture): ArrayND {
  const [, c, h, w] = fixture.oracle.inputShape;
  const data = new Float32Array(h * w * c);
  for (let k = 0; k < c; k++)
    for (let p = 0; p < h * w; p++) data[p * c + k] = fixture.input[k * h * w + p];
  return { data, shape: [h, w, c] };
}

/** PyTorch autograd's projections of one unit (test/oracles/*_projections.py), and its value. */
export type ProjectionOracle = Record<ProjectionMethod, ArrayLike<number>> & { value: number };

/**
 * Projects unit (channel, y, x) of `layer` to the input with the gradient, guided backpropagation
 * and deconvnet, and checks each against PyTorch's to 1e-4 relative, with no tensor leaked.
 */
export function checkProjections(
  loaded: LoadedOnnxModel,
  fixture: Fixture,
  outputs: Map<string, ArrayND>,
  layer: string,
  [channel, y, x]: number[],
  oracle: ProjectionOracle,
): void {
  const before = tf.memory().numTensors;
  const steps = chainSteps(layersTo(loaded.model, layer), nhwc(fixture), (n) => outputs.get(n)!);
  const out = outputs.get(layer)!;
  const value = out.data[(y * out.shape[1] + x) * out.shape[2] + channel];
  assert.ok(Math.abs(value - oracle.value) < 1e-5, `unit ${value} vs PyTorch ${oracle.value}`);
  for (const method of ['saliency', 'guided', 'deconvnet'] as const) {
    const projection = projectUnit(tf, steps, { layer, channel, position: [y, x] }, value, method);
    const expected = Float32Array.from(oracle[method]);
    assert.ok(
      expected.some((v) => v !== 0),
      `${method}: PyTorch's projection is all zero`,
    );
    const error = relativeError(projection.values.data, expected);
    assert.ok(error < 1e-4, `${method}: relative error ${error}`);
  }
  assert.equal(tf.memory().numTensors, before, 'no tensor may leak');
}
