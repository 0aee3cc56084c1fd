// Evaluates the small integer/float computations that exports leave in a graph (shape chains
// for `view`/`flatten`, Constant nodes, Clip bounds) so the translation only sees real layers.
import type { ConstantTensor, GraphNode } from './graph';
import { constantSize } from './graph';
import { intAttr, intsAttr, tensorAttr, floatAttr } from './attributes';
import { nodeError } from './onnxErrors';

export function scalarOrList(values: number[], dims: number[]): ConstantTensor {
  return { dims, kind: 'int', data: Float64Array.from(values) };
}

function normalizeAxis(axis: number, rank: number): number {
  return axis < 0 ? axis + rank : axis;
}

/** Axes from the attribute (before opset 13) or the second input (opset 13 on). */
export function axesOf(
  node: GraphNode,
  inputs: (ConstantTensor | undefined)[],
  rank: number,
): number[] | undefined {
  const fromInput = inputs[1] ? Array.from(inputs[1].data) : undefined;
  const axes = fromInput ?? intsAttr(node, 'axes');
  return axes?.map((a) => normalizeAxis(a, rank));
}

function broadcast(
  a: ConstantTensor,
  b: ConstantTensor,
  f: (x: number, y: number) => number,
): ConstantTensor | undefined {
  const sa = constantSize(a.dims);
  const sb = constantSize(b.dims);
  const kind = a.kind === 'float' || b.kind === 'float' ? 'float' : 'int';
  const make = (n: number) => (kind === 'float' ? new Float32Array(n) : new Float64Array(n));
  if (sa === sb && a.dims.length === b.dims.length) {
    const out = make(sa);
    for (let i = 0; i < sa; i++) out[i] = f(a.data[i], b.data[i]);
    return { dims: a.dims, kind, data: out };
  }
  if (sb === 1) {
    const out = make(sa);
    for (let i = 0; i < sa; i++) out[i] = f(a.data[i], b.data[0]);
    return { dims: a.dims.length >= b.dims.length ? a.dims : b.dims, kind, data: out };
  }
  if (sa === 1) {
    const out = make(sb);
    for (let i = 0; i < sb; i++) out[i] = f(a.data[0], b.data[i]);
    return { dims: b.dims.length >= a.dims.length ? b.dims : a.dims, kind, data: out };
  }
  return undefined;
}

const ARITHMETIC: Record<string, (x: number, y: number) => number> = {
  Add: (x, y) => x + y,
  Sub: (x, y) => x - y,
  Mul: (x, y) => x * y,
  Div: (x, y) => x / y,
};

/** Div of two integer tensors is integer division (ShuffleNet's chunk: (C + 1) / 2), like C's. */
function arithmeticOf(node: GraphNode, a: ConstantTensor, b: ConstantTensor) {
  const integers = a.kind !== 'float' && b.kind !== 'float';
  if (node.opType === 'Div' && integers) return (x: number, y: number) => Math.trunc(x / y);
  return ARITHMETIC[node.opType];
}

type Inputs = (ConstantTensor | undefined)[];
/** The value of one op's node, or undefined when these inputs are not a computation it folds. */
type ConstantRule = (node: GraphNode, inputs: Inputs, opset: number) => ConstantTensor | undefined;

/** A rank-1 constant indexed by constant indices (a dimension picked from a Shape). */
function gatherConstant(node: GraphNode, [x, indices]: Inputs): ConstantTensor | undefined {
  if (!x || !indices || x.dims.length !== 1 || intAttr(node, 'axis', 0) !== 0) return undefined;
  const values = Array.from(indices.data, (i) => x.data[normalizeAxis(i, x.data.length)]);
  return { dims: indices.dims, kind: x.kind, data: Float64Array.from(values) };
}

function unsqueezeConstant(node: GraphNode, inputs: Inputs): ConstantTensor | undefined {
  const [x] = inputs;
  if (!x) return undefined;
  const axes = axesOf(node, inputs, x.dims.length + (inputs[1]?.data.length ?? 1));
  if (!axes) return undefined;
  const dims = [...x.dims];
  for (const axis of [...axes].sort((a, b) => a - b)) dims.splice(axis, 0, 1);
  return { ...x, dims };
}

function squeezeConstant(node: GraphNode, inputs: Inputs): ConstantTensor | undefined {
  const [x] = inputs;
  if (!x) return undefined;
  const axes = axesOf(node, inputs, x.dims.length);
  const dims = x.dims.filter((d, i) => (axes ? !axes.includes(i) : d !== 1));
  return { ...x, dims };
}

/** Rank-1 constants joined (a target shape assembled from its parts). */
function concatConstant(_node: GraphNode, inputs: Inputs): ConstantTensor | undefined {
  if (inputs.some((t) => !t || t.dims.length !== 1)) return undefined;
  const values = inputs.flatMap((t) => Array.from(t!.data));
  const kind = inputs.some((t) => t!.kind === 'float') ? 'float' : 'int';
  const data = kind === 'float' ? Float32Array.from(values) : Float64Array.from(values);
  return { dims: [values.length], kind, data };
}

function constantOfShape(node: GraphNode, [x]: Inputs): ConstantTensor | undefined {
  if (!x) return undefined;
  const dims = Array.from(x.data);
  const value = tensorAttr(node, 'value');
  const out = new Float32Array(constantSize(dims)).fill(value ? value.data[0] : 0);
  return { dims, kind: value?.kind ?? 'float', data: out };
}

function transposeConstant(_node: GraphNode, [x]: Inputs): ConstantTensor | undefined {
  if (!x || x.dims.length !== 2) return undefined;
  const [rows, cols] = x.dims;
  const out = x.kind === 'float' ? new Float32Array(rows * cols) : new Float64Array(rows * cols);
  for (let r = 0; r < rows; r++)
    for (let c = 0; c < cols; c++) out[c * rows + r] = x.data[r * cols + c];
  return { dims: [cols, rows], kind: x.kind, data: out };
}

function arithmeticConstant(node: GraphNode, [a, b]: Inputs): ConstantTensor | undefined {
  return a && b ? broadcast(a, b, arithmeticOf(node, a, b)) : undefined;
}

const CONSTANT_RULES: Record<string, ConstantRule> = {
  Constant: (node, _inputs, opset) => constantNodeValue(node, opset),
  Identity: (_node, [x]) => x,
  Cast: (node, [x]) => (x ? castKind(node, x) : undefined),
  Gather: gatherConstant,
  Unsqueeze: unsqueezeConstant,
  Squeeze: squeezeConstant,
  Concat: concatConstant,
  Reshape: (_node, [x, shape]) =>
    x && shape ? { ...x, dims: reshapeDims(x.dims, Array.from(shape.data)) } : undefined,
  ConstantOfShape: constantOfShape,
  Slice: (node, inputs) => (inputs[0] ? sliceConstant(node, inputs[0], inputs) : undefined),
  Transpose: transposeConstant,
  Add: arithmeticConstant,
  Sub: arithmeticConstant,
  Mul: arithmeticConstant,
  Div: arithmeticConstant,
};

/**
 * The value of a node whose inputs are all known, or undefined when the op is not one of the
 * constant computations above (the caller then reports it).
 */
export function evaluateConstantNode(
  node: GraphNode,
  opset: number,
  inputs: Inputs,
): ConstantTensor | undefined {
  const rule = Object.hasOwn(CONSTANT_RULES, node.opType) ? CONSTANT_RULES[node.opType] : undefined;
  return rule?.(node, inputs, opset);
}

function castKind(node: GraphNode, x: ConstantTensor): ConstantTensor {
  const to = intAttr(node, 'to', 1);
  const isFloat = to === 1 || to === 10 || to === 11 || to === 16;
  return isFloat
    ? { dims: x.dims, kind: 'float', data: Float32Array.from(x.data) }
    : { dims: x.dims, kind: 'int', data: Float64Array.from(x.data, Math.trunc) };
}

function constantNodeValue(node: GraphNode, opset: number): ConstantTensor {
  const tensor = tensorAttr(node, 'value');
  if (tensor) return tensor;
  const f = node.attributes.get('value_float');
  if (typeof f === 'number')
    return { dims: [], kind: 'float', data: Float32Array.of(floatAttr(node, 'value_float', 0)) };
  const i = node.attributes.get('value_int');
  if (typeof i === 'number') return scalarOrList([i], []);
  const ints = intsAttr(node, 'value_ints');
  if (ints) return scalarOrList(ints, [ints.length]);
  const floats = node.attributes.get('value_floats');
  if (Array.isArray(floats)) {
    return { dims: [floats.length], kind: 'float', data: Float32Array.from(floats as number[]) };
  }
  throw nodeError(node, opset, 'a Constant without a tensor, float or int value is not supported.');
}

/** ONNX Reshape semantics: 0 copies the input dimension, -1 takes what is left. */
export function reshapeDims(inputDims: number[], target: number[]): number[] {
  const dims = target.map((d, i) => (d === 0 ? inputDims[i] : d));
  const known = dims.filter((d) => d !== -1).reduce((a, b) => a * b, 1);
  const total = constantSize(inputDims);
  return dims.map((d) => (d === -1 ? total / known : d));
}

/**
 * The indices a Slice keeps along each axis of a tensor of shape `dims` (opset 10+: starts, ends,
 * axes, steps as constant inputs; before: attributes), or undefined when they are not constant.
 */
export function sliceIndices(
  node: GraphNode,
  dims: number[],
  inputs: (ConstantTensor | undefined)[],
): number[][] | undefined {
  const list = (i: number) => (inputs[i] ? Array.from(inputs[i]!.data) : undefined);
  const starts = list(1) ?? intsAttr(node, 'starts');
  const ends = list(2) ?? intsAttr(node, 'ends');
  if (!starts || !ends) return undefined;
  const axes = (list(3) ?? intsAttr(node, 'axes') ?? starts.map((_, i) => i)).map((a) =>
    normalizeAxis(a, dims.length),
  );
  const steps = list(4) ?? starts.map(() => 1);
  const ranges = dims.map((d) => Array.from({ length: d }, (_, i) => i));
  axes.forEach((axis, i) => {
    const d = dims[axis];
    const clamp = (v: number, lo: number, hi: number) =>
      Math.min(Math.max(v < 0 ? v + d : v, lo), hi);
    const step = steps[i];
    const picked: number[] = [];
    if (step > 0) {
      for (let k = clamp(starts[i], 0, d); k < clamp(ends[i], 0, d); k += step) picked.push(k);
    } else {
      for (let k = clamp(starts[i], -1, d - 1); k > clamp(ends[i], -1, d - 1); k += step)
        picked.push(k);
    }
    ranges[axis] = picked;
  });
  return ranges;
}

/** Slice of a rank-1 or rank-2 constant. */
function sliceConstant(
  node: GraphNode,
  x: ConstantTensor,
  inputs: (ConstantTensor | undefined)[],
): ConstantTensor | undefined {
  if (x.dims.length > 2) return undefined;
  const ranges = sliceIndices(node, x.dims, inputs);
  if (!ranges) return undefined;
  const cols = x.dims.length === 2 ? x.dims[1] : 1;
  const rows = x.dims.length === 2 ? ranges[0] : [0];
  const colIndices = x.dims.length === 2 ? ranges[1] : ranges[0];
  const values: number[] = [];
  for (const r of rows) for (const c of colIndices) values.push(x.data[r * cols + c]);
  const dims = x.dims.length === 2 ? [rows.length, colIndices.length] : [colIndices.length];
  const data = x.kind === 'float' ? Float32Array.from(values) : Float64Array.from(values);
  return { dims, kind: x.kind, data };
}
