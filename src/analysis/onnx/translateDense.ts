// Gemm / MatMul with a constant weight -> Dense. After a flatten of an NCHW tensor, the model's
// vector is in NHWC order: the kernel's rows are permuted so each unit reads the same features.
import { floatAttr, intAttr, checkAttributes } from './attributes';
import type { BuiltValue, TranslationContext, Translation } from './builderTypes';
import { float32Of } from './graph';
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
  const { node, graph, tf } = ctx;
  checkAttributes(node, graph.opset, ['alpha', 'beta', 'transA', 'transB']);
  if (intAttr(node, 'transA', 0) !== 0) throw ctx.fail('transA=1 is not supported.');
  const x = flatInput(ctx);
  const b = ctx.requireConstant(1, 'weights');
  const c = ctx.constant(2);
  const transB = intAttr(node, 'transB', 0) === 1;
  const alpha = floatAttr(node, 'alpha', 1);
  const beta = floatAttr(node, 'beta', 1);
  const units = transB ? b.dims[0] : b.dims[1];
  if (c && float32Of(c).length !== units) {
    throw ctx.fail(`its bias has shape [${c.dims.join(', ')}], not [${units}].`);
  }
  return dense(ctx, x, units, !!c, () => {
    const kernel = tf.tidy(() => {
      const m = tf.tensor2d(float32Of(b), b.dims as [number, number]);
      const k = transB ? tf.transpose(m) : m;
      return alpha === 1 ? k : tf.mul(k, alpha);
    });
    const bias = c
      ? tf.tidy(() =>
          beta === 1 ? tf.tensor1d(float32Of(c)) : tf.mul(tf.tensor1d(float32Of(c)), beta),
        )
      : undefined;
    return [kernel, bias];
  });
}

export function translateMatMul(ctx: TranslationContext): Translation {
  const x = flatInput(ctx);
  const b = ctx.requireConstant(1, 'weights');
  if (b.dims.length !== 2)
    throw ctx.fail('only a [features, units] constant second input is supported.');
  return dense(ctx, x, b.dims[1], false, () => [
    ctx.tf.tensor2d(float32Of(b), b.dims as [number, number]),
    undefined,
  ]);
}

function dense(
  ctx: TranslationContext,
  x: BuiltValue,
  units: number,
  useBias: boolean,
  make: () => [tfType.Tensor, tfType.Tensor | undefined],
): Translation {
  const tf = ctx.tf;
  const layer = tf.layers.dense({
    units,
    useBias,
    kernelInitializer: 'zeros',
    name: ctx.layerName(),
  });
  ctx.setWeights(layer, () => {
    const [kernel, bias] = make();
    let rowsInOrder = kernel;
    if (x.layout === 'flatNhwc') {
      rowsInOrder = tf.tidy(() =>
        tf.gather(kernel, tf.tensor1d(nhwcToNchwRows(x.flattenedFrom!), 'int32')),
      );
      kernel.dispose();
    }
    return bias ? [rowsInOrder, bias] : [rowsInOrder];
  });
  return {
    tensor: ctx.apply(layer, x.tensor),
    shape: [1, units],
    layout: 'flat',
    nonNegative: false,
  };
}
