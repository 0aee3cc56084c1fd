// LayerNormalization over the last axis (opset 17's op, or the decomposed form fuseDecomposedOps.ts
// folds into it) and GELU: ConvNeXt's channels-last blocks.
import { floatAttr, intAttr } from './attributes';
import type { TranslationContext, Translation } from './builderTypes';
import { float32Copy } from './weightArrays';

export function translateLayerNorm(ctx: TranslationContext): Translation {
  const { tf, node } = ctx;
  const x = ctx.value(0);
  const rank = x.shape.length;
  const raw = intAttr(node, 'axis', -1);
  const axis = raw < 0 ? raw + rank : raw;
  const channels = x.shape[rank - 1];
  // Over the last ONNX axis only (PyTorch's LayerNorm(C) after a Permute to channels last, or of
  // a vector): stored last as well. Several axes (LayerNorm([C, H, W])) would mix positions.
  const lastStored =
    x.layout === 'channelsLast' ||
    (x.layout === 'flat' && x.shape.slice(1, -1).every((d) => d === 1));
  if (axis !== rank - 1 || !lastStored) {
    throw ctx.fail(
      `layer normalisation over axis ${raw} of [${x.shape.join(', ')}] is not supported (only over the last axis of a channels-last image or a vector).`,
    );
  }
  if (intAttr(node, 'stash_type', 1) !== 1)
    throw ctx.fail('stash_type other than 1 is not supported.');
  const scale = ctx.constant(1);
  const bias = ctx.constant(2);
  if (node.inputs[1] && !scale) throw ctx.fail('its scale (input 1) must be a constant.');
  if (node.inputs[2] && !bias) throw ctx.fail('its bias (input 2) must be a constant.');
  for (const c of [scale, bias]) {
    if (c && c.data.length !== channels)
      throw ctx.fail(`its scale and bias must hold ${channels} values, one per channel.`);
  }
  const layer = tf.layers.layerNormalization({
    axis: -1,
    epsilon: floatAttr(node, 'epsilon', 1e-5),
    center: !!bias,
    scale: !!scale,
    name: ctx.layerName(),
  });
  ctx.setWeights(layer, () =>
    [scale, bias].filter((c) => !!c).map((c) => tf.tensor1d(float32Copy(c!))),
  );
  return { ...x, tensor: ctx.apply(layer, x.tensor), nonNegative: false };
}

/** GELU, erf form (fuseDecomposedOps.ts): tfjs's `gelu` activation is the same function. */
export function translateGelu(ctx: TranslationContext): Translation {
  const x = ctx.value(0);
  const layer = ctx.tf.layers.activation({ activation: 'gelu', name: ctx.layerName() });
  return { ...x, tensor: ctx.apply(layer, x.tensor), nonNegative: false };
}
