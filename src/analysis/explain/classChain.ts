// The class score of a classifier and the chain of layers that computes it, for the class-level
// explanations. The score is the one before softmax (Grad-CAM, occlusion and integrated gradients
// all explain it): a Dense/Conv layer with a softmax activation contributes its pre-activation, a
// Softmax layer its input. Forward passes run batched through a model whose outputs are the chain
// layers' outputs; the backward passes reuse the projections' explicit rules (propagateBack), which
// need no gradient kernels and so work on every backend (wasm has no Conv2DBackpropFilter, which
// tf.grad asks for through fused convolutions).
import type * as tfType from '@tensorflow/tfjs';
import { InspectorError } from '../errors';
import { layersTo, sourceIndices, stepsOf } from './chain';
import { preActivation } from './convolutionOps';
import { layerSpecOf } from './layerSpec';
import type { ChainStep } from './projection';
import type { ArrayND, LayerSpec } from './types';

type Tf = typeof tfType;
type Layer = tfType.layers.Layer;

export interface ClassHead {
  /** The model's output layer (the class scores). */
  outputLayer: Layer;
  spec: LayerSpec;
  classes: number;
  /** Outputs [what enters the output layer, the output layer's output]. */
  model: tfType.LayersModel;
  /** How the score relates to the output: 'logits' (before softmax) or 'output' (no softmax). */
  scoreKind: 'before softmax' | 'output';
}

/** The model's class output: one layer with a vector output; a clear error otherwise. */
export function classHead(tf: Tf, model: tfType.LayersModel): ClassHead {
  const outputLayer = model.layers[model.layers.length - 1];
  const shape = (outputLayer.outputShape as (number | null)[]).slice(1);
  if (shape.length !== 1 || !shape[0] || shape[0] < 2) {
    throw new InspectorError(
      'layer',
      `Class explanations need a classifier: the last layer '${outputLayer.name}' outputs [${shape.join(', ')}], not a vector of class scores.`,
    );
  }
  const spec = layerSpecOf(outputLayer);
  const inbound = outputLayer.inboundNodes[0]?.inboundLayers ?? [];
  const softmax = spec.activation === 'softmax';
  const linearisable =
    softmax &&
    inbound.length === 1 &&
    (spec.op === 'activation' || spec.op === 'dense' || spec.op === 'conv');
  const entering =
    inbound.length === 1 && inbound[0].getClassName() !== 'InputLayer'
      ? (inbound[0].output as tfType.SymbolicTensor)
      : (model.inputs[0] as tfType.SymbolicTensor);
  const head = tf.model({
    inputs: model.inputs,
    outputs: [entering, outputLayer.output as tfType.SymbolicTensor],
  });
  if (softmax && !linearisable) {
    throw new InspectorError(
      'layer',
      `The last layer '${outputLayer.name}' (${outputLayer.getClassName()}) applies softmax in a way the score before it cannot be recovered from.`,
    );
  }
  return {
    outputLayer,
    spec,
    classes: shape[0],
    model: head,
    scoreKind: softmax ? 'before softmax' : 'output',
  };
}

/** Class scores of a batch, [n * classes], from what entered the output layer and its output. */
export function scoresFrom(
  tf: Tf,
  head: ClassHead,
  entering: ArrayND,
  output: Float32Array,
): Float32Array {
  if (head.scoreKind === 'output') return output;
  if (head.spec.op === 'activation') return entering.data;
  return preActivation(tf, head.spec, entering);
}

/** Runs `inputs` ([n, ...input]) through the head: class scores [n * classes]. Disposes nothing it was given. */
export async function classScores(
  tf: Tf,
  head: ClassHead,
  inputs: tfType.Tensor,
): Promise<Float32Array> {
  const [entering, output] = head.model.predict(inputs) as tfType.Tensor[];
  try {
    const n = inputs.shape[0];
    const enteringData = (await entering.data()) as Float32Array;
    const outputData = (await output.data()) as Float32Array;
    const perItem = entering.shape.slice(1);
    if (head.scoreKind === 'before softmax' && head.spec.op === 'conv') {
      // conv pre-activations take one item at a time (the spec describes unbatched arrays)
      const size = enteringData.length / n;
      const out = new Float32Array(n * head.classes);
      for (let i = 0; i < n; i++) {
        const item = { data: enteringData.subarray(i * size, (i + 1) * size), shape: perItem };
        out.set(scoresFrom(tf, head, item, outputData), i * head.classes);
      }
      return out;
    }
    return scoresFrom(tf, head, { data: enteringData, shape: [n, ...perItem] }, outputData);
  } finally {
    entering.dispose();
    output.dispose();
  }
}

/** The layers from the model input to one layer (a chain, or a graph with merges), specs read once. */
export interface LayerChain {
  layers: Layer[];
  specs: LayerSpec[];
  /** Per layer, the indices of the layers that feed it (-1: the model input). */
  sources: number[][];
  /** Outputs: every chain layer's output. */
  model: tfType.LayersModel;
}

/** The layers to `layerName`; NotInvertibleError when one of them cannot be followed. */
export function layerChain(tf: Tf, model: tfType.LayersModel, layerName: string): LayerChain {
  const layers = layersTo(model, layerName);
  return {
    layers,
    specs: layers.map((l) => layerSpecOf(l)),
    sources: sourceIndices(layers),
    model: tf.model({
      inputs: model.inputs,
      outputs: layers.map((l) => l.output as tfType.SymbolicTensor),
    }),
  };
}

/** The chain's steps for one forward pass, from the model input and each layer's output. */
export function chainStepsOf(
  chain: LayerChain,
  modelInput: ArrayND,
  outputOf: (i: number) => ArrayND,
): ChainStepWithOutput[] {
  return stepsOf(chain.layers, chain.specs, chain.sources, modelInput, outputOf).map((step, i) => ({
    ...step,
    output: outputOf(i),
  }));
}

/** Forward passes of a batch [n, ...input] through the chain: ChainSteps per item. */
export async function forwardChain(
  tf: Tf,
  chain: LayerChain,
  inputs: tfType.Tensor,
): Promise<ChainStepWithOutput[][]> {
  const raw = chain.model.predict(inputs);
  const outputs = Array.isArray(raw) ? raw : [raw];
  try {
    const n = inputs.shape[0];
    const inputData = (await inputs.data()) as Float32Array;
    const datas = await Promise.all(outputs.map((t) => t.data() as Promise<Float32Array>));
    const itemOf = (data: Float32Array, shape: number[], i: number): ArrayND => {
      const size = data.length / n;
      return { data: data.subarray(i * size, (i + 1) * size), shape };
    };
    const inputShape = inputs.shape.slice(1);
    return Array.from({ length: n }, (_, i) =>
      chainStepsOf(chain, itemOf(inputData, inputShape, i), (j) =>
        itemOf(datas[j], outputs[j].shape.slice(1), i),
      ),
    );
  } finally {
    tf.dispose(outputs);
  }
}

/** The class scores at the end of a chain that ends at the output layer (one item). */
export function chainScores(tf: Tf, head: ClassHead, steps: ChainStepWithOutput[]): Float32Array {
  const last = steps[steps.length - 1];
  return scoresFrom(tf, head, last.input, last.output.data);
}

export type ChainStepWithOutput = ChainStep & { output: ArrayND };

/** Waits for the event loop, so that cancel messages reach a worker between batches. */
export const yieldToEvents = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));
