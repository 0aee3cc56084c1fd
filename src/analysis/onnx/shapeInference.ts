// Static output shapes (NCHW, batch 1) of the ops the import translates; anything else is refused.
import type { ConstantTensor, GraphNode } from './graph';
import { constantSize } from './graph';
import { convTransposeAttributes, intAttr, intsAttr, windowGeometry } from './attributes';
import { axesOf, reshapeDims, sliceIndices } from './constantOps';
import { nodeError } from './onnxErrors';
import { resizeOutputShape } from './translateResize';

export const UNARY_OPS = new Set([
  'Relu',
  'LeakyRelu',
  'Clip',
  'Sigmoid',
  'Tanh',
  'HardSigmoid',
  'HardSwish',
  'Softmax',
  'Elu',
  'BatchNormalization',
  // Parts of the decomposed LayerNorm and GELU (fuseDecomposedOps.ts); alone they are refused.
  'LayerNormalization',
  'Erf',
  'Sqrt',
]);
export const BINARY_OPS = new Set(['Add', 'Sub', 'Mul', 'Div', 'Pow']);

function broadcastShapes(a: number[], b: number[]): number[] | undefined {
  const rank = Math.max(a.length, b.length);
  const out: number[] = [];
  for (let i = 0; i < rank; i++) {
    const x = a[a.length - rank + i] ?? 1;
    const y = b[b.length - rank + i] ?? 1;
    if (x !== y && x !== 1 && y !== 1) return undefined;
    out.push(Math.max(x, y));
  }
  return out;
}

/** What a shape rule reads: the node, its first input's shape `x`, every input's shape and value. */
interface ShapeQuery {
  node: GraphNode;
  opset: number;
  x: number[];
  shapes: (number[] | undefined)[];
  constants: (ConstantTensor | undefined)[];
}

type ShapeRule = (q: ShapeQuery) => number[];

const fail = (q: ShapeQuery, detail: string) => nodeError(q.node, q.opset, detail);

/** Window ops and resizing are 2-D image ops: a rule for them first checks the input is NCHW. */
function imageOp(rule: ShapeRule): ShapeRule {
  return (q) => {
    if (q.x.length !== 4) {
      throw fail(q, `expects an NCHW image tensor, got shape [${q.x.join(', ')}].`);
    }
    return rule(q);
  };
}

const positive = (axis: number, rank: number) => (axis < 0 ? axis + rank : axis);

function binaryShape(q: ShapeQuery): number[] {
  const other = q.shapes[1];
  const shape = broadcastShapes(q.x, other ?? []);
  if (!shape) throw fail(q, `cannot broadcast [${q.x.join(', ')}] with [${other?.join(', ')}].`);
  return shape;
}

function windowShape({ node, opset, x, shapes }: ShapeQuery): number[] {
  const isConv = node.opType === 'Conv';
  const weights = shapes[1];
  const kernel = isConv && weights ? ([weights[2], weights[3]] as [number, number]) : undefined;
  const g = windowGeometry(node, opset, [x[2], x[3]], kernel);
  const channels = isConv ? (weights?.[0] ?? 0) : x[1];
  return [x[0], channels, ...g.outputSize];
}

function convTransposeShape({ node, x, shapes }: ShapeQuery): number[] {
  const w = shapes[1] ?? [];
  const { groups, strides, dilations, pads, outputPadding } = convTransposeAttributes(node);
  const size = (axis: number) =>
    strides[axis] * (x[axis + 2] - 1) +
    outputPadding[axis] +
    (w[axis + 2] - 1) * dilations[axis] +
    1 -
    pads[axis] -
    pads[axis + 2];
  return [x[0], w[1] * groups, size(0), size(1)];
}

function flattenShape({ node, x }: ShapeQuery): number[] {
  const a = positive(intAttr(node, 'axis', 1), x.length);
  return [constantSize(x.slice(0, a)), constantSize(x.slice(a))];
}

function concatShape({ node, x, shapes }: ShapeQuery): number[] {
  const a = positive(intAttr(node, 'axis', 0), x.length);
  const out = [...x];
  out[a] = shapes.reduce((sum, s) => sum + (s?.[a] ?? 0), 0);
  return out;
}

function padShape(q: ShapeQuery): number[] {
  const { node, x, constants } = q;
  const pads = constants[1] ? Array.from(constants[1].data) : (intsAttr(node, 'pads') ?? []);
  if (pads.length !== 2 * x.length) throw fail(q, 'its pads are not a constant of rank x 2.');
  return x.map((d, i) => d + pads[i] + pads[i + x.length]);
}

function unsqueezeShape(q: ShapeQuery): number[] {
  const { node, x, constants } = q;
  const added = constants[1]?.data.length ?? intsAttr(node, 'axes')?.length ?? 1;
  const axes = axesOf(node, constants, x.length + added);
  if (!axes) throw fail(q, 'its axes are not constant.');
  const out = [...x];
  for (const axis of [...axes].sort((a, b) => a - b)) out.splice(axis, 0, 1);
  return out;
}

function reduceMeanShape({ node, x, constants }: ShapeQuery): number[] {
  const axes = axesOf(node, constants, x.length) ?? x.map((_, i) => i);
  const keep = intAttr(node, 'keepdims', 1) === 1;
  return keep ? x.map((d, i) => (axes.includes(i) ? 1 : d)) : x.filter((_, i) => !axes.includes(i));
}

function gatherShape(q: ShapeQuery): number[] {
  // Of a computed value: only a channel picked by Inception v3's transform_input is
  // translated (fuseDecomposedOps.ts); the shape is ONNX's either way.
  const { node, x, shapes } = q;
  const indices = shapes[1];
  const axis = positive(intAttr(node, 'axis', 0), x.length);
  if (!indices) throw fail(q, 'its indices are missing.');
  return [...x.slice(0, axis), ...indices, ...x.slice(axis + 1)];
}

const SHAPE_RULES: Record<string, ShapeRule> = {
  Conv: imageOp(windowShape),
  MaxPool: imageOp(windowShape),
  AveragePool: imageOp(windowShape),
  ConvTranspose: imageOp(convTransposeShape),
  GlobalAveragePool: imageOp(({ x }) => [x[0], x[1], 1, 1]),
  GlobalMaxPool: imageOp(({ x }) => [x[0], x[1], 1, 1]),
  Gemm: ({ node, x, shapes }) => {
    const w = shapes[1] ?? [];
    return [x[0], intAttr(node, 'transB', 0) === 1 ? w[0] : w[1]];
  },
  MatMul: ({ x, shapes }) => {
    const w = shapes[1] ?? [];
    return [...x.slice(0, -1), w[w.length - 1]];
  },
  Flatten: flattenShape,
  Reshape: (q) => {
    const target = q.constants[1];
    if (!target) throw fail(q, 'its target shape is not a constant.');
    return reshapeDims(q.x, Array.from(target.data));
  },
  Transpose: ({ node, x }) => {
    const perm = intsAttr(node, 'perm') ?? x.map((_, i) => x.length - 1 - i);
    return perm.map((p) => x[p]);
  },
  Concat: concatShape,
  Pad: padShape,
  Squeeze: ({ node, x, constants }) => {
    const axes = axesOf(node, constants, x.length);
    return x.filter((d, i) => (axes ? !axes.includes(i) : d !== 1));
  },
  Unsqueeze: unsqueezeShape,
  ReduceMean: reduceMeanShape,
  Gather: gatherShape,
  Slice: (q) => {
    const kept = sliceIndices(q.node, q.x, q.constants);
    if (!kept) throw fail(q, 'its starts and ends must be constants.');
    return kept.map((indices) => indices.length);
  },
  Resize: imageOp(({ node, opset, x, constants }) => resizeOutputShape(node, opset, x, constants)),
};

/**
 * `shapes[i]` is the shape of input i (computed values and constants alike); `constants[i]` its
 * value when known.
 */
export function inferOutputShape(
  node: GraphNode,
  opset: number,
  shapes: (number[] | undefined)[],
  constants: (ConstantTensor | undefined)[],
): number[] {
  const x = shapes[0];
  if (!x) throw nodeError(node, opset, 'its first input is missing.');
  const query = { node, opset, x, shapes, constants };
  if (UNARY_OPS.has(node.opType)) return x;
  if (BINARY_OPS.has(node.opType)) return binaryShape(query);
  const rule = Object.hasOwn(SHAPE_RULES, node.opType) ? SHAPE_RULES[node.opType] : undefined;
  if (!rule) throw nodeError(node, opset, 'this op is not supported by the ONNX import.');
  return rule(query);
}
