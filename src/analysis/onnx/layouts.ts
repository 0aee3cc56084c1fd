// Moving values and constants between ONNX's NCHW and the model's NHWC storage.
import type { ConstantTensor } from './graph';
import type { BuiltValue, TranslationContext } from './builderTypes';

/** A flat [N, C, 1, 1] value as a real NHWC [N, 1, 1, C] tensor (for convolutions, broadcasts). */
export function materialize4d(ctx: TranslationContext, x: BuiltValue): BuiltValue {
  if (x.layout === 'nhwc') return x;
  const [, c, h, w] = x.shape;
  if (x.layout === 'channelsLast') {
    throw ctx.fail(
      `expects an NCHW image tensor, got a channels-last [${x.shape.join(', ')}] (after a Transpose); only LayerNorm, MatMul, GELU and arithmetic are supported there.`,
    );
  }
  if (x.layout !== 'flat' || x.shape.length !== 4 || h !== 1 || w !== 1) {
    throw ctx.fail(`expects an NCHW image tensor, got shape [${x.shape.join(', ')}].`);
  }
  const layer = ctx.tf.layers.reshape({ targetShape: [1, 1, c], name: ctx.layerName('as4d') });
  return { ...x, tensor: ctx.apply(layer, x.tensor), layout: 'nhwc' };
}

/** A value in the plain layout (NHWC or rank 2), for merges that need both sides alike. */
export function storedRank(x: BuiltValue): number {
  return x.layout === 'nhwc' ? 4 : 2;
}

/**
 * A constant broadcast against a value of ONNX rank `rank`, in the value's stored layout:
 * returns the stored shape (batch axis included) and the values reordered NCHW -> NHWC.
 */
export function constantForLayout(
  c: ConstantTensor,
  target: BuiltValue,
): { shape: number[]; values: number[] } | undefined {
  const rank = target.shape.length;
  if (c.dims.length > rank) return undefined;
  const dims = [...new Array(rank - c.dims.length).fill(1), ...c.dims];
  const values = Array.from(c.data);
  if (target.layout === 'flat') {
    const full = broadcastTo(values, dims, target.shape);
    return full && { shape: [1, full.length], values: full };
  }
  // Stored in ONNX's order and rank: the constant broadcasts as it is.
  if (target.layout === 'channelsLast') return { shape: dims, values };
  if (target.layout !== 'nhwc') return undefined;
  const [n, ch, h, w] = dims;
  const out = new Array<number>(values.length);
  for (let b = 0; b < n; b++)
    for (let y = 0; y < h; y++)
      for (let x = 0; x < w; x++)
        for (let k = 0; k < ch; k++) {
          out[((b * h + y) * w + x) * ch + k] = values[((b * ch + k) * h + y) * w + x];
        }
  return { shape: [n, h, w, ch], values: out };
}

/** Row-major broadcast of `values` (shape `dims`, same rank) to `target`; undefined if it cannot. */
function broadcastTo(values: number[], dims: number[], target: number[]): number[] | undefined {
  if (dims.some((d, i) => d !== 1 && d !== target[i])) return undefined;
  const total = target.reduce((a, b) => a * b, 1);
  const out = new Array<number>(total);
  for (let i = 0; i < total; i++) {
    let rest = i;
    let source = 0;
    let stride = 1;
    for (let axis = target.length - 1; axis >= 0; axis--) {
      const coordinate = rest % target[axis];
      rest = Math.floor(rest / target[axis]);
      if (dims[axis] !== 1) source += coordinate * stride;
      stride *= dims[axis];
    }
    out[i] = values[source];
  }
  return out;
}
