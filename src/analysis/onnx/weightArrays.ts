/**
 * Weights in the model's layouts, made in one pass from the file's bytes: each layer's kernel is
 * one new Float32Array (OIHW -> HWIO, transposed and row-permuted dense kernels), handed to tfjs as
 * is. No tf.transpose / tf.gather on the backend, so the WebAssembly heap (which never shrinks)
 * holds each weight once, with no temporary copies, and no tensor keeps a view into the file's
 * buffer, which can then be released as soon as the model is built.
 */
import type { ConstantTensor } from './graph';

/** The values, read once (an unaligned tensor is copied for this read only, not kept). */
function valuesOf(c: ConstantTensor): Float32Array | Float64Array {
  return c.readOnce ? c.readOnce() : c.data;
}

/** The constant's values as a Float32Array of its own (never a view into the file). */
export function float32Copy(c: ConstantTensor): Float32Array {
  if (c.readOnce) return c.readOnce(); // a new array already
  return c.data instanceof Float32Array ? c.data.slice() : Float32Array.from(c.data);
}

/** The 4-D constant (shape `dims`) with its axes permuted: output axis i is input axis perm[i]. */
export function permuted4d(
  c: ConstantTensor,
  dims: [number, number, number, number],
  perm: [number, number, number, number],
): Float32Array {
  const data = valuesOf(c);
  const inStrides = [dims[1] * dims[2] * dims[3], dims[2] * dims[3], dims[3], 1];
  const [o0, o1, o2, o3] = perm.map((p) => dims[p]);
  const [s0, s1, s2, s3] = perm.map((p) => inStrides[p]);
  const out = new Float32Array(o0 * o1 * o2 * o3);
  let i = 0;
  for (let a = 0; a < o0; a++)
    for (let b = 0; b < o1; b++)
      for (let d = 0; d < o2; d++) {
        const base = a * s0 + b * s1 + d * s2;
        for (let e = 0; e < o3; e++) out[i++] = data[base + e * s3];
      }
  return out;
}

/**
 * A dense layer's [inputs, units] kernel from an ONNX [rows, cols] matrix: transposed when
 * `transposed` (Gemm's transB, [units, inputs]), scaled by `scale`, and with input row r taken
 * from ONNX row `rowOrder[r]` (a flatten of NCHW values stored NHWC).
 */
export function denseKernel(
  c: ConstantTensor,
  transposed: boolean,
  scale: number,
  rowOrder?: Int32Array,
): Float32Array {
  const [rows, cols] = c.dims;
  const inputs = transposed ? cols : rows;
  const units = transposed ? rows : cols;
  const data = valuesOf(c);
  const out = new Float32Array(inputs * units);
  if (!transposed) {
    for (let r = 0; r < inputs; r++) {
      const start = (rowOrder ? rowOrder[r] : r) * units;
      out.set(data.subarray(start, start + units), r * units);
    }
  } else {
    // In tiles, so both the reads and the writes stay in cache (VGG's fc6 is 25088 x 4096).
    const TILE = 64;
    for (let r0 = 0; r0 < inputs; r0 += TILE)
      for (let u0 = 0; u0 < units; u0 += TILE)
        for (let r = r0; r < Math.min(r0 + TILE, inputs); r++) {
          const source = rowOrder ? rowOrder[r] : r;
          const base = r * units;
          for (let u = u0; u < Math.min(u0 + TILE, units); u++)
            out[base + u] = data[u * inputs + source];
        }
  }
  if (scale !== 1) for (let i = 0; i < out.length; i++) out[i] *= scale;
  return out;
}
