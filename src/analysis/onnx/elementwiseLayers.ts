/**
 * Element-wise layers tfjs-layers has no exact equivalent for:
 * - OnnxElementwise: Clip with other bounds than ReLU's, ELU with alpha != 1, HardSigmoid (ONNX
 *   alpha/beta), HardSwish, and arithmetic with a constant (x * c, x - c, c / x...) broadcast in NHWC.
 * - OnnxBroadcast: arithmetic of two computed tensors of different (broadcastable) shapes, and
 *   Div, which tfjs-layers has no merge layer for (kind `merge`).
 */
import type { TfNamespace } from '../runtime';
import { firstShape, firstTensor, type Shape, type Tensor } from './customLayerBasics';

export type ArithmeticOp = 'add' | 'sub' | 'mul' | 'div';

export interface ElementwiseConfig {
  op: 'clip' | 'elu' | 'hardSigmoid' | 'hardSwish' | ArithmeticOp;
  min?: number;
  max?: number;
  alpha?: number;
  beta?: number;
  /** NHWC-broadcastable constant (batch axis included, size 1) for the arithmetic ops. */
  constant?: { shape: number[]; values: number[] };
  /** `c - x` / `c / x` rather than `x - c` / `x / c`. */
  constantFirst?: boolean;
}

function arithmetic(tf: TfNamespace, op: ArithmeticOp, a: Tensor, b: Tensor): Tensor {
  switch (op) {
    case 'add':
      return tf.add(a, b);
    case 'sub':
      return tf.sub(a, b);
    case 'mul':
      return tf.mul(a, b);
    case 'div':
      return tf.div(a, b);
  }
}

/** The function an OnnxElementwise layer computes, with ONNX's defaults for absent parameters. */
function elementwise(tf: TfNamespace, s: ElementwiseConfig, x: Tensor): Tensor {
  switch (s.op) {
    case 'clip':
      return tf.clipByValue(x, s.min ?? -Infinity, s.max ?? Infinity);
    case 'hardSigmoid':
      return tf.clipByValue(tf.add(tf.mul(x, s.alpha ?? 0.2), s.beta ?? 0.5), 0, 1);
    case 'elu':
      return tf.where(tf.greater(x, 0), x, tf.mul(tf.sub(tf.exp(x), 1), s.alpha ?? 1));
    case 'hardSwish':
      return tf.mul(x, tf.clipByValue(tf.add(tf.div(x, 6), 0.5), 0, 1));
    default: {
      const c = tf.tensor(s.constant!.values, s.constant!.shape);
      return s.constantFirst ? arithmetic(tf, s.op, c, x) : arithmetic(tf, s.op, x, c);
    }
  }
}

export function elementwiseLayerClasses(tf: TfNamespace) {
  class OnnxElementwise extends tf.layers.Layer {
    static className = 'OnnxElementwise';
    readonly spec: ElementwiseConfig;
    constructor(args: ElementwiseConfig & { name?: string }) {
      super({ name: args.name });
      const { op, min, max, alpha, beta, constant, constantFirst } = args;
      this.spec = { op, min, max, alpha, beta, constant, constantFirst };
    }
    override computeOutputShape(inputShape: Shape | Shape[]): Shape {
      return firstShape(inputShape);
    }
    override call(inputs: Tensor | Tensor[]): Tensor {
      return tf.tidy(() => elementwise(tf, this.spec, firstTensor(inputs)));
    }
    override getConfig() {
      return { ...super.getConfig(), ...this.spec };
    }
  }

  class OnnxBroadcast extends tf.layers.Layer {
    static className = 'OnnxBroadcast';
    readonly op: ArithmeticOp;
    constructor(args: { op: ArithmeticOp; name?: string }) {
      super({ name: args.name });
      this.op = args.op;
    }
    override computeOutputShape(inputShape: Shape | Shape[]): Shape {
      const [a, b] = inputShape as Shape[];
      return a.map((d, i) => (d === 1 ? b[i] : d));
    }
    override call(inputs: Tensor | Tensor[]): Tensor {
      const [a, b] = inputs as Tensor[];
      return tf.tidy(() => arithmetic(tf, this.op, a, b));
    }
    override getConfig() {
      return { ...super.getConfig(), op: this.op };
    }
  }

  return { OnnxElementwise, OnnxBroadcast };
}
