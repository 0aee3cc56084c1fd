// Static output shapes (NCHW, batch 1) of the ops the import translates; anything else is refused.
import type { ConstantTensor, GraphNode } from './graph';
import { constantSize } from './graph';
import { intAttr, intsAttr, windowGeometry } from './attributes';
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
  const need4d = () => {
    if (x.length !== 4) {
      throw nodeError(node, opset, `expects an NCHW image tensor, got shape [${x.join(', ')}].`);
    }
  };
  if (UNARY_OPS.has(node.opType)) return x;
  if (BINARY_OPS.has(node.opType)) {
    const shape = broadcastShapes(x, shapes[1] ?? []);
    if (!shape) {
      throw nodeError(
        node,
        opset,
        `cannot broadcast [${x.join(', ')}] with [${shapes[1]?.join(', ')}].`,
      );
    }
    return shape;
  }
  switch (node.opType) {
    case 'Conv':
    case 'MaxPool':
    case 'AveragePool': {
      need4d();
      const weights = shapes[1];
      const kernel =
        node.opType === 'Conv' && weights
          ? ([weights[2], weights[3]] as [number, number])
          : undefined;
      const g = windowGeometry(node, opset, [x[2], x[3]], kernel);
      const channels = node.opType === 'Conv' ? (weights?.[0] ?? 0) : x[1];
      return [x[0], channels, ...g.outputSize];
    }
    case 'ConvTranspose': {
      need4d();
      const w = shapes[1] ?? [];
      const g = intAttr(node, 'group', 1);
      const s = intsAttr(node, 'strides') ?? [1, 1];
      const d = intsAttr(node, 'dilations') ?? [1, 1];
      const p = intsAttr(node, 'pads') ?? [0, 0, 0, 0];
      const op = intsAttr(node, 'output_padding') ?? [0, 0];
      const size = (axis: number) =>
        s[axis] * (x[axis + 2] - 1) +
        op[axis] +
        (w[axis + 2] - 1) * d[axis] +
        1 -
        p[axis] -
        p[axis + 2];
      return [x[0], w[1] * g, size(0), size(1)];
    }
    case 'GlobalAveragePool':
    case 'GlobalMaxPool':
      need4d();
      return [x[0], x[1], 1, 1];
    case 'Gemm': {
      const w = shapes[1] ?? [];
      const transB = intAttr(node, 'transB', 0) === 1;
      return [x[0], transB ? w[0] : w[1]];
    }
    case 'MatMul': {
      const w = shapes[1] ?? [];
      return [...x.slice(0, -1), w[w.length - 1]];
    }
    case 'Flatten': {
      const axis = intAttr(node, 'axis', 1);
      const a = axis < 0 ? axis + x.length : axis;
      return [constantSize(x.slice(0, a)), constantSize(x.slice(a))];
    }
    case 'Reshape': {
      const target = constants[1];
      if (!target) throw nodeError(node, opset, 'its target shape is not a constant.');
      return reshapeDims(x, Array.from(target.data));
    }
    case 'Transpose': {
      const perm = intsAttr(node, 'perm') ?? x.map((_, i) => x.length - 1 - i);
      return perm.map((p) => x[p]);
    }
    case 'Concat': {
      const axis = intAttr(node, 'axis', 0);
      const a = axis < 0 ? axis + x.length : axis;
      const out = [...x];
      out[a] = shapes.reduce((sum, s) => sum + (s?.[a] ?? 0), 0);
      return out;
    }
    case 'Pad': {
      const pads = constants[1] ? Array.from(constants[1].data) : (intsAttr(node, 'pads') ?? []);
      if (pads.length !== 2 * x.length)
        throw nodeError(node, opset, 'its pads are not a constant of rank x 2.');
      return x.map((d, i) => d + pads[i] + pads[i + x.length]);
    }
    case 'Squeeze': {
      const axes = axesOf(node, constants, x.length);
      return x.filter((d, i) => (axes ? !axes.includes(i) : d !== 1));
    }
    case 'Unsqueeze': {
      const axes = axesOf(
        node,
        constants,
        x.length + (constants[1]?.data.length ?? intsAttr(node, 'axes')?.length ?? 1),
      );
      if (!axes) throw nodeError(node, opset, 'its axes are not constant.');
      const out = [...x];
      for (const axis of [...axes].sort((a, b) => a - b)) out.splice(axis, 0, 1);
      return out;
    }
    case 'ReduceMean': {
      const axes = axesOf(node, constants, x.length) ?? x.map((_, i) => i);
      const keep = intAttr(node, 'keepdims', 1) === 1;
      return keep
        ? x.map((d, i) => (axes.includes(i) ? 1 : d))
        : x.filter((_, i) => !axes.includes(i));
    }
    case 'Gather': {
      // Of a computed value: only a channel picked by Inception v3's transform_input is
      // translated (fuseDecomposedOps.ts); the shape is ONNX's either way.
      const indices = shapes[1];
      const a = intAttr(node, 'axis', 0);
      const axis = a < 0 ? a + x.length : a;
      if (!indices) throw nodeError(node, opset, 'its indices are missing.');
      return [...x.slice(0, axis), ...indices, ...x.slice(axis + 1)];
    }
    case 'Slice': {
      const kept = sliceIndices(node, x, constants);
      if (!kept) throw nodeError(node, opset, 'its starts and ends must be constants.');
      return kept.map((indices) => indices.length);
    }
    case 'Resize':
      need4d();
      return resizeOutputShape(node, opset, x, constants);
    default:
      throw nodeError(node, opset, 'this op is not supported by the ONNX import.');
  }
}
