// Gemm / MatMul with a constant weight -> Dense. After a flatten of an NCHW tensor, the model's
// vector is in NHWC order: the kernel's rows are permuted so each unit reads the same features.
import { floatAttr, intAttr, checkAttributes } from './attributes';
import type { BuiltValue, TranslationContext, Translation } from './builderTypes';
import { constantSize } from './graph';
import { denseKernel, float32Copy } from './weightArrays';
import type * as tfType from '@tensorflow/tfjs';

/** For each row of the NHWC-ordered vector, the row of the NCHW (ONNX) vector it holds. */
export function nhwcToNchwRows([c, h, w]: [number, number, number]): Int32Array {
  const rows = new Int32Array(c * h * w);
  for (let y = 0; y < h; y++)
    for (let x = 0; x < w; x++)
      for (let k = 0; k < c; k++) rows[(y * w + x) * c + k] = (k * h + y) * w + x;
  return rows;
}

function flatInput(ctx: TranslationContext): BuiltValue {
  const x = ctx.value(0);
  if (x.layout !== 'flat' && x.layout !== 'flatNhwc') {
    throw ctx.fail(`expects a [batch, features] input, got shape [${x.shape.join(', ')}].`);
  }
  return x;
}

export function translateGemm(ctx: TranslationContext): Translation {
  const { node, graph } = ctx;
  checkAttributes(node, graph.opset, ['alpha', 'beta', 'transA', 'transB']);
  if (intAttr(node, 'transA', 0) !== 0) throw ctx.fail('transA=1 is not supported.');
  const x = flatInput(ctx);
  const b = ctx.requireConstant(1, 'weights');
  const c = ctx.constant(2);
  const transB = intAttr(node, 'transB', 0) === 1;
  const alpha = floatAttr(node, 'alpha', 1);
  const beta = floatAttr(node, 'beta', 1);
  const units = transB ? b.dims[0] : b.dims[1];
  if (c && constantSize(c.dims) !== units) {
    throw ctx.fail(`its bias has shape [${c.dims.join(', ')}], not [${units}].`);
  }
  return dense(
    ctx,
    x,
    units,
    (rowOrder) => denseKernel(b, transB, alpha, rowOrder),
    c &&
      (() => {
        const bias = float32Copy(c);
        if (beta !== 1) for (let i = 0; i < bias.length; i++) bias[i] *= beta;
        return bias;
      }),
  );
}

/**
 * MatMul by a constant [features, units] matrix, and MatMulAdd (fuseDecomposedOps.ts: the MatMul
 * and Add of a Linear's bias): on a vector, or on the channels of a channels-last image (a Dense
 * acts on the last axis, position by position).
 */
export function translateMatMul(ctx: TranslationContext): Translation {
  const x = ctx.value(0).layout === 'channelsLast' ? ctx.value(0) : flatInput(ctx);
  const b = ctx.requireConstant(1, 'weights');
  if (b.dims.length !== 2)
    throw ctx.fail('only a [features, units] constant second input is supported.');
  const c = ctx.constant(2);
  return dense(
    ctx,
    x,
    b.dims[1],
    (rowOrder) => denseKernel(b, false, 1, rowOrder),
    c && (() => float32Copy(c)),
  );
}

/**
 * A Dense layer whose weights are made when the model sets them: `kernel` gets the order of its
 * input rows (after a flatten of an NCHW value stored NHWC) and returns the [inputs, units] array.
 */
function dense(
  ctx: TranslationContext,
  x: BuiltValue,
  units: number,
  kernel: (rowOrder: Int32Array | undefined) => Float32Array,
  bias?: () => Float32Array,
): Translation {
  const tf = ctx.tf;
  const layer = tf.layers.dense({
    units,
    useBias: !!bias,
    kernelInitializer: 'zeros',
    name: ctx.layerName(),
  });
  ctx.setWeights(layer, () => {
    const rowOrder = x.layout === 'flatNhwc' ? nhwcToNchwRows(x.flattenedFrom!) : undefined;
    const weights = kernel(rowOrder);
    const tensors: tfType.Tensor[] = [tf.tensor2d(weights, [weights.length / units, units])];
    if (bias) tensors.push(tf.tensor1d(bias()));
    return tensors;
  });
  const tensor = ctx.apply(layer, x.tensor);
  if (x.layout === 'channelsLast') {
    return {
      tensor,
      shape: [...x.shape.slice(0, -1), units],
      layout: x.layout,
      nonNegative: false,
    };
  }
  return { tensor, shape: [1, units], layout: 'flat', nonNegative: false };
}
