// Parameter, compute and activation-memory counts from a LayerGraph (no tensors involved).
//
// Conventions (those of Keras' summary and torchvision's GFLOPS table):
// - Parameters: every weight; trainable ones are those Keras trains (batch-norm moving mean and
//   variance, and weights of frozen layers, are non-trainable).
// - MACs (multiply-accumulates) of convolutions and dense layers only; bias additions,
//   activations, pooling, batch norm and merges count 0. FLOPs = 2 x MACs.
//   conv: out positions x kernel area x in_channels / groups x out_channels;
//   depthwise: out positions x kernel area x in_channels x depth_multiplier;
//   separable: its depthwise part + pointwise (out positions x in_c x depth_mult x out_c);
//   transposed conv: in positions x kernel area x in_c x out_c (how it runs);
//   dense: in_units x units, times the positions it is applied at when its input has more axes.
// - A shared layer's MACs are summed over all its applications; its parameters are counted once.
// - Activation memory: bytes of the layer's float32 outputs at batch 1.
// - denseEquivalent (convolution layers): weights of a fully connected layer mapping the same
//   input volume to the same output volume, in_volume x out_volume, WITHOUT bias; compared to
//   the convolution's kernel weights, also without bias.
import { channelDim, product, spatialDims } from './geometry';
import type { LayerGraph, LayerNode, Shape } from './types';
import { layerCapabilities, type CountsRule } from '../layerCapabilities';

const FLOAT32_BYTES = 4;

export interface DenseEquivalent {
  /** in_volume x out_volume (bias excluded). */
  params: number;
  /** The convolution's own kernel weights (bias excluded). */
  convWeights: number;
  /** params / convWeights. */
  ratio: number;
}

export interface LayerCounts {
  name: string;
  className: string;
  trainableParams: number;
  nonTrainableParams: number;
  totalParams: number;
  weightShapes: { name: string; shape: number[]; trainable: boolean }[];
  /** Null when the layer class is unknown or a shape it needs is unknown. */
  macs: number | null;
  flops: number | null;
  /** Null when the output shape has a free dimension. */
  activationBytes: number | null;
  denseEquivalent?: DenseEquivalent;
  notes: string[];
}

export interface ModelCounts {
  layers: LayerCounts[];
  totals: {
    trainableParams: number;
    nonTrainableParams: number;
    totalParams: number;
    /** Sum over the layers whose MACs are known. */
    macs: number;
    flops: number;
    /** Sum of every layer's output (input layers included) at batch 1. */
    activationBytes: number;
    layersWithUnknownMacs: string[];
    layersWithUnknownActivationSize: string[];
  };
}

interface Application {
  inputShapes: Shape[];
  outputShapes: Shape[];
}

/** How the layer's compute is counted: its class's rule, or a nested model's own sum. */
function countsRuleOf(node: LayerNode): CountsRule {
  return node.kind === 'model' ? 'nested' : layerCapabilities(node.className).counts;
}

/** Kernel weights of a convolution (bias excluded), from its geometry and shapes. */
function convKernelWeights(node: LayerNode, input: Shape): number | null {
  const g = node.geometry;
  const area = product(g.kernelSize ?? []);
  const inC = channelDim(input, g.dataFormat);
  if (area === null || inC === null) return null;
  const dm = g.depthMultiplier ?? 1;
  switch (countsRuleOf(node)) {
    case 'conv':
    case 'transposedConv':
      return g.filters === undefined ? null : (area * inC * g.filters) / (g.groups ?? 1);
    case 'depthwiseConv':
      return area * inC * dm;
    case 'separableConv':
      return g.filters === undefined ? null : area * inC * dm + inC * dm * g.filters;
    default:
      return null;
  }
}

function applicationMacs(node: LayerNode, app: Application): number | null {
  const g = node.geometry;
  const input = app.inputShapes[0];
  const output = app.outputShapes[0];
  const rule = countsRuleOf(node);
  switch (rule) {
    case 'conv':
    case 'depthwiseConv':
    case 'separableConv': {
      if (!input || !output) return null;
      const positions = product(spatialDims(output, g.dataFormat));
      const inC = channelDim(input, g.dataFormat);
      const area = product(g.kernelSize ?? []);
      const dm = g.depthMultiplier ?? 1;
      if (positions === null || inC === null || area === null) return null;
      if (rule === 'depthwiseConv') return positions * area * inC * dm;
      if (g.filters === undefined) return null;
      if (rule === 'separableConv') return positions * (area * inC * dm + inC * dm * g.filters);
      return (positions * area * inC * g.filters) / (g.groups ?? 1);
    }
    case 'transposedConv': {
      if (!input) return null;
      const positions = product(spatialDims(input, g.dataFormat));
      const kernel = convKernelWeights(node, input);
      return positions === null || kernel === null ? null : positions * kernel;
    }
    case 'dense': {
      if (!input || g.units === undefined) return null;
      const size = product(input);
      return size === null ? null : size * g.units;
    }
    case 'unknown':
    case 'nested':
      return null;
    case 'free':
      return 0;
    default:
      return rule satisfies never;
  }
}

function outputBytes(shapes: Shape[]): number | null {
  let total = 0;
  for (const s of shapes) {
    const n = product(s);
    if (n === null) return null;
    total += n * FLOAT32_BYTES;
  }
  return total;
}

function denseEquivalentOf(node: LayerNode): DenseEquivalent | undefined {
  const rule = countsRuleOf(node);
  if (rule !== 'conv' && rule !== 'depthwiseConv' && rule !== 'separableConv') return undefined;
  const input = node.inputShapes[0];
  const output = node.outputShape;
  if (!input || !output) return undefined;
  const inVolume = product(input);
  const outVolume = product(output);
  const convWeights = convKernelWeights(node, input);
  if (inVolume === null || outVolume === null || convWeights === null) return undefined;
  const params = inVolume * outVolume;
  return { params, convWeights, ratio: params / convWeights };
}

function nestedMacs(node: LayerNode): number | null {
  if (!node.nested) return null;
  const inner = countModel(node.nested);
  return inner.totals.layersWithUnknownMacs.length > 0 ? null : inner.totals.macs;
}

export function countLayer(node: LayerNode): LayerCounts {
  const trainableParams = node.weights.filter((w) => w.trainable).reduce((a, w) => a + w.size, 0);
  const nonTrainableParams = node.weights
    .filter((w) => !w.trainable)
    .reduce((a, w) => a + w.size, 0);
  const notes: string[] = [];
  const apps: Application[] = [node, ...node.extraApplications];
  let macs: number | null = 0;
  for (const app of apps) {
    const m = countsRuleOf(node) === 'nested' ? nestedMacs(node) : applicationMacs(node, app);
    macs = macs === null || m === null ? null : macs + m;
  }
  if (countsRuleOf(node) === 'unknown')
    notes.push(`unknown layer class '${node.className}': compute not counted`);
  if (apps.length > 1) notes.push(`MACs summed over its ${apps.length} applications`);
  const counts: LayerCounts = {
    name: node.name,
    className: node.className,
    trainableParams,
    nonTrainableParams,
    totalParams: trainableParams + nonTrainableParams,
    weightShapes: node.weights.map((w) => ({
      name: w.name,
      shape: w.shape,
      trainable: w.trainable,
    })),
    macs,
    flops: macs === null ? null : 2 * macs,
    activationBytes: outputBytes(node.outputShapes),
    notes,
  };
  const dense = denseEquivalentOf(node);
  if (dense) counts.denseEquivalent = dense;
  return counts;
}

export function countModel(graph: LayerGraph): ModelCounts {
  const layers = graph.layers.map(countLayer);
  const sum = (f: (c: LayerCounts) => number | null) => layers.reduce((a, c) => a + (f(c) ?? 0), 0);
  const macs = sum((c) => c.macs);
  return {
    layers,
    totals: {
      trainableParams: sum((c) => c.trainableParams),
      nonTrainableParams: sum((c) => c.nonTrainableParams),
      totalParams: sum((c) => c.totalParams),
      macs,
      flops: 2 * macs,
      activationBytes: sum((c) => c.activationBytes),
      layersWithUnknownMacs: layers.filter((c) => c.macs === null).map((c) => c.name),
      layersWithUnknownActivationSize: layers
        .filter((c) => c.activationBytes === null)
        .map((c) => c.name),
    },
  };
}
