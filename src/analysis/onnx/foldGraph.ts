/**
 * Folds constant computations (Constant, Shape -> Gather -> Unsqueeze -> Concat chains, Identity
 * of initializers...) into constants, removes Identity/Dropout of computed values, and gives
 * every computed value a static shape at batch size 1, makes a Split one node per output
 * (splitParts.ts), folds ShuffleNet's channel shuffle (Reshape, Transpose, Reshape) into one
 * node (channelShuffle.ts), as well as decomposed LayerNorm, GELU and Linear-with-bias
 * (fuseDecomposedOps.ts). What remains are the nodes that become layers.
 */
import { InspectorError } from '../errors';
import type { ConstantTensor, FoldedGraph, GraphNode, ModelGraph } from './graph';
import { evaluateConstantNode, scalarOrList } from './constantOps';
import { intAttr } from './attributes';
import { inferOutputShape } from './shapeInference';
import { fileError, nodeError } from './onnxErrors';
import { fuseChannelShuffles } from './channelShuffle';
import { splitPartShape, splitParts } from './splitParts';
import { fuseDecomposedOps } from './fuseDecomposedOps';

type Inputs = (ConstantTensor | undefined)[];

export interface FoldOptions {
  /** [height, width] when the file leaves the image size free. */
  inputSize?: [number, number];
}

/** What folding knows so far: constant values, computed shapes, names that stand for others. */
interface FoldState {
  opset: number;
  constants: Map<string, ConstantTensor>;
  shapes: Map<string, number[]>;
  /** Outputs of removed Identity/Dropout nodes -> the value they pass on. */
  aliases: Map<string, string>;
  /** The nodes that remain (they become layers). */
  nodes: GraphNode[];
}

export function foldGraph(graph: ModelGraph, options: FoldOptions = {}): FoldedGraph {
  const input = imageInput(graph, options);
  const state: FoldState = {
    opset: graph.opset,
    constants: new Map(graph.constants),
    shapes: new Map([[input.name, input.shape]]),
    aliases: new Map(),
    nodes: [],
  };
  for (const original of graph.nodes) {
    const inputs = original.inputs.map((n) => (n ? resolve(state, n) : n));
    foldNode(state, { ...original, inputs });
  }
  const { constants, shapes } = state;
  const outputs = graph.outputs.map((o) => ({ ...o, name: resolve(state, o.name) }));
  const outputNames = outputs.map((o) => o.name);
  const fused = fuseDecomposedOps(
    fuseChannelShuffles(state.nodes, shapes, outputNames),
    shapes,
    constants,
    outputNames,
  );
  return {
    ...graph,
    nodes: withoutUnused(fused, outputNames),
    constants,
    shapes,
    outputs,
    input,
  };
}

const resolve = (state: FoldState, name: string) => state.aliases.get(name) ?? name;

/** One node (its inputs already resolved through aliases), in the first way that applies. */
function foldNode(state: FoldState, node: GraphNode): void {
  const { constants, shapes, opset } = state;
  const inputConstants = node.inputs.map((n) => (n ? constants.get(n) : undefined));
  const computed = computedInputs(state, node);
  if (node.opType === 'Shape' && computed.length === 1) {
    constants.set(node.outputs[0], shapeValue(node, shapes.get(computed[0])!));
  } else if (computed.length === 0) {
    const value = evaluateConstantNode(node, opset, inputConstants);
    if (!value) throw nodeError(node, opset, 'cannot be folded into a constant.');
    constants.set(node.outputs[0], value);
  } else if (node.opType === 'Split' && !constants.has(node.inputs[0])) {
    addSplitParts(state, node, inputConstants);
  } else if (node.opType === 'Identity' || node.opType === 'Dropout') {
    if (node.opType === 'Dropout' && intAttr(node, 'is_test', 1) === 0 && opset < 7) {
      throw nodeError(node, opset, 'a Dropout in training mode is not supported.');
    }
    state.aliases.set(node.outputs[0], node.inputs[0]);
  } else {
    addLayerNode(state, node, inputConstants);
  }
}

/** The inputs that are computed values, each computed by an earlier node. */
function computedInputs(state: FoldState, node: GraphNode): string[] {
  const computed = node.inputs.filter((n) => n && !state.constants.has(n));
  for (const name of computed) {
    if (!state.shapes.has(name)) {
      throw nodeError(node, state.opset, `reads '${name}', which no earlier node computes.`);
    }
  }
  return computed;
}

/** One single-output node per part (splitParts.ts). */
function addSplitParts(state: FoldState, node: GraphNode, inputConstants: Inputs): void {
  const shape = state.shapes.get(node.inputs[0])!;
  for (const part of splitParts(node, state.opset, shape, inputConstants[1])) {
    state.shapes.set(part.outputs[0], splitPartShape(part, shape));
    state.nodes.push(part);
  }
}

function addLayerNode(state: FoldState, node: GraphNode, inputConstants: Inputs): void {
  const { constants, shapes, opset } = state;
  const inputShapes = node.inputs.map((n) =>
    n ? (shapes.get(n) ?? constants.get(n)?.dims) : undefined,
  );
  shapes.set(node.outputs[0], inferOutputShape(node, opset, inputShapes, inputConstants));
  if (node.outputs.length > 1 && node.opType !== 'BatchNormalization') {
    throw nodeError(node, opset, 'nodes with several outputs are not supported.');
  }
  state.nodes.push(node);
}

function shapeValue(node: GraphNode, shape: number[]): ConstantTensor {
  const start = intAttr(node, 'start', 0);
  const end = node.attributes.has('end') ? intAttr(node, 'end', shape.length) : shape.length;
  const values = shape.slice(start, end);
  return scalarOrList(values, [values.length]);
}

/** Nodes no graph output depends on (e.g. BatchNormalization's training outputs) are dropped. */
function withoutUnused(nodes: GraphNode[], outputs: string[]): GraphNode[] {
  const needed = new Set(outputs);
  const kept: GraphNode[] = [];
  for (const node of [...nodes].reverse()) {
    if (!node.outputs.some((o) => needed.has(o))) continue;
    for (const i of node.inputs) needed.add(i);
    kept.push(node);
  }
  return kept.reverse();
}

function imageInput(graph: ModelGraph, options: FoldOptions): FoldedGraph['input'] {
  if (graph.inputs.length !== 1) {
    const names = graph.inputs.map((i) => `'${i.name}'`).join(', ');
    throw fileError(
      graph.file,
      `the model has ${graph.inputs.length} inputs (${names || 'none'}); CNN Inspector needs one image input.`,
    );
  }
  const [info] = graph.inputs;
  const dims = info.dims;
  const describe = `[${dims.map((d) => d ?? '?').join(', ')}]`;
  if (info.kind !== 'float' || dims.length !== 4) {
    throw fileError(
      graph.file,
      `input '${info.name}' has shape ${describe} (${info.kind}); CNN Inspector needs one float image input [batch, channels, height, width].`,
    );
  }
  const channels = dims[1];
  if (typeof channels !== 'number' || channels < 1 || channels > 4) {
    throw fileError(
      graph.file,
      `input '${info.name}' has shape ${describe}: ${channels ?? 'free'} channels is not an image (1, 3 or 4 channels, NCHW).`,
    );
  }
  const free = typeof dims[2] !== 'number' || typeof dims[3] !== 'number';
  if (free && !options.inputSize) {
    throw new InspectorError(
      'onnx',
      `${graph.file}: input '${info.name}' has a free image size ${describe}; give one with inputSize (see the README's model-file contract).`,
    );
  }
  const [h, w] = free ? options.inputSize! : [dims[2] as number, dims[3] as number];
  return { ...info, shape: [1, channels, h, w] };
}
