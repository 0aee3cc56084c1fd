/**
 * OnnxPad2D: padding with a constant other than 0 (max pooling pads with -Infinity), by
 * reflection or by repeating the edge. Geometrically a ZeroPadding2D (kind `zeroPadding`).
 */
import type { TfNamespace } from '../runtime';
import type * as tfType from '@tensorflow/tfjs';
import { firstShape, firstTensor, type Shape, type Tensor } from './customLayerBasics';

export interface PadConfig {
  padding: [[number, number], [number, number]];
  mode: 'constant' | 'reflect' | 'edge';
  value: number;
}

/** ONNX Pad mode 'edge' (PyTorch's ReplicationPad2d): the first and last row and column repeated. */
function edgePad(
  tf: TfNamespace,
  x: tfType.Tensor4D,
  padding: [[number, number], [number, number]],
): Tensor {
  let y: Tensor = x;
  padding.forEach(([before, after], i) => {
    const axis = i + 1;
    const size = y.shape[axis]!;
    const edge = (start: number, times: number) => {
      const begin = [0, 0, 0, 0];
      const length = [-1, -1, -1, -1];
      begin[axis] = start;
      length[axis] = 1;
      const reps = [1, 1, 1, 1];
      reps[axis] = times;
      return tf.tile(tf.slice(y, begin, length), reps);
    };
    const parts = [
      ...(before ? [edge(0, before)] : []),
      y,
      ...(after ? [edge(size - 1, after)] : []),
    ];
    y = parts.length > 1 ? tf.concat(parts, axis) : y;
  });
  return y;
}

export function padLayerClass(tf: TfNamespace) {
  return class OnnxPad2D extends tf.layers.Layer {
    static className = 'OnnxPad2D';
    readonly pad: PadConfig;
    constructor(args: PadConfig & { name?: string }) {
      super({ name: args.name });
      this.pad = { padding: args.padding, mode: args.mode, value: args.value };
    }
    override computeOutputShape(inputShape: Shape | Shape[]): Shape {
      const s = firstShape(inputShape);
      const [[t, b], [l, r]] = this.pad.padding;
      return [s[0], s[1] === null ? null : s[1] + t + b, s[2] === null ? null : s[2] + l + r, s[3]];
    }
    override call(inputs: Tensor | Tensor[]): Tensor {
      return tf.tidy(() => {
        const x = firstTensor(inputs) as tfType.Tensor4D;
        const pattern: [number, number][] = [[0, 0], ...this.pad.padding, [0, 0]];
        if (this.pad.mode === 'edge') return edgePad(tf, x, this.pad.padding);
        return this.pad.mode === 'reflect'
          ? tf.mirrorPad(x, pattern, 'reflect')
          : tf.pad(x, pattern, this.pad.value);
      });
    }
    override getConfig() {
      return { ...super.getConfig(), ...this.pad };
    }
  };
}
