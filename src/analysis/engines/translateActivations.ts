/**
 * Keras activation functions as ONNX nodes, on a value held channels-first: Softmax's last Keras
 * axis is the held axis 1. Each formula is TensorFlow.js's own (e.g. hardSigmoid = clip(0.2x + 0.5)).
 */
import type { OnnxGraphBuilder } from './onnxGraphBuilder';
import { heldAxis } from './layerTranslation';

type Emit = (b: OnnxGraphBuilder, x: string, rank: number, hint: string, out?: string) => string;

const simple =
  (opType: string, attributes: Record<string, number | { f: number }> = {}): Emit =>
  (b, x, _rank, hint, out) =>
    b.node(opType, [x], hint, attributes, out);

const ACTIVATIONS: Record<string, Emit> = {
  linear: (b, x, _rank, hint, out) => (out ? b.node('Identity', [x], hint, {}, out) : x),
  relu: simple('Relu'),
  relu6: (b, x, _rank, hint, out) =>
    b.node(
      'Clip',
      [x, b.floats(`${hint}/min`, [], [0]), b.floats(`${hint}/max`, [], [6])],
      hint,
      {},
      out,
    ),
  sigmoid: simple('Sigmoid'),
  tanh: simple('Tanh'),
  elu: simple('Elu', { alpha: { f: 1 } }),
  selu: simple('Selu', { alpha: { f: 1.6732632423543772 }, gamma: { f: 1.0507009873554805 } }),
  softplus: simple('Softplus'),
  softsign: simple('Softsign'),
  hardSigmoid: simple('HardSigmoid', { alpha: { f: 0.2 }, beta: { f: 0.5 } }),
  softmax: (b, x, rank, hint, out) =>
    b.node('Softmax', [x], hint, { axis: heldAxis(-1, rank) }, out),
  logSoftmax: (b, x, rank, hint, out) =>
    b.node('LogSoftmax', [x], hint, { axis: heldAxis(-1, rank) }, out),
  swish: (b, x, _rank, hint, out) =>
    b.node('Mul', [x, b.node('Sigmoid', [x], hint)], hint, {}, out),
  mish: (b, x, _rank, hint, out) =>
    b.node('Mul', [x, b.node('Tanh', [b.node('Softplus', [x], hint)], hint)], hint, {}, out),
  // 0.5 x (1 + erf(x / sqrt 2)), tfjs's exact GELU
  gelu: (b, x, _rank, hint, out) => {
    const scaled = b.node('Mul', [x, b.floats(`${hint}/rsqrt2`, [], [Math.SQRT1_2])], hint);
    const onePlus = b.node(
      'Add',
      [b.node('Erf', [scaled], hint), b.floats(`${hint}/one`, [], [1])],
      hint,
    );
    const half = b.node('Mul', [x, b.floats(`${hint}/half`, [], [0.5])], hint);
    return b.node('Mul', [half, onePlus], hint, {}, out);
  },
};

export function isSupportedActivation(name: string): boolean {
  return Object.hasOwn(ACTIVATIONS, name);
}

/** Applies the Keras activation `name` (must be supported) to `x`; `out` names the result. */
export function applyActivation(
  b: OnnxGraphBuilder,
  name: string,
  x: string,
  rank: number,
  hint: string,
  out?: string,
): string {
  return ACTIVATIONS[name](b, x, rank, hint, out);
}
