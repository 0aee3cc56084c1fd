// Flatten / Reshape / Squeeze / Unsqueeze / Transpose / Concat / Pad / ReduceMean. Shape changes
// that only move the batch-1 squeeze of global pooling need no layer (the value is aliased).
import { intAttr, intsAttr, stringAttr } from './attributes';
import type { BuiltValue, TranslationContext, Translation } from './builderTypes';
import { materialize4d } from './layouts';

/** [N, C*H*W] from an NCHW value: NHWC flatten order, recorded for the dense layer after it. */
function flattenImage(ctx: TranslationContext, x: BuiltValue): Translation {
  const [, c, h, w] = x.shape;
  const tensor = ctx.apply(ctx.tf.layers.flatten({ name: ctx.layerName() }), x.tensor);
  const spatial = h * w > 1;
  return {
    tensor,
    shape: [1, c * h * w],
    layout: spatial ? 'flatNhwc' : 'flat',
    ...(spatial ? { flattenedFrom: [c, h, w] as [number, number, number] } : {}),
    nonNegative: x.nonNegative,
  };
}

/** Any reshape between the forms a CNN's head uses; others are refused. */
function reshapeTo(ctx: TranslationContext, x: BuiltValue, target: number[]): Translation {
  if (target.join() === x.shape.join()) return x;
  // Stored in ONNX's element order: an ONNX reshape keeps that order, so nothing moves.
  if (x.layout === 'flat') return { ...x, shape: target };
  if (x.layout === 'nhwc' && target.length === 2 && target[0] === 1) return flattenImage(ctx, x);
  if (x.layout === 'nhwc' && x.shape[2] * x.shape[3] === 1) {
    return { ...flattenImage(ctx, x), shape: target };
  }
  throw ctx.fail(`reshaping [${x.shape.join(', ')}] to [${target.join(', ')}] is not supported.`);
}

export function translateReshapeLike(ctx: TranslationContext): Translation {
  const { node } = ctx;
  const x = ctx.value(0);
  if (node.opType === 'Flatten' && intAttr(node, 'axis', 1) !== 1) {
    throw ctx.fail(`Flatten with axis=${intAttr(node, 'axis', 1)} is not supported (only 1).`);
  }
  return reshapeTo(ctx, x, ctx.graph.shapes.get(node.outputs[0])!);
}

export function translateReduceMean(ctx: TranslationContext): Translation {
  const x = materialize4d(ctx, ctx.value(0));
  const out = ctx.graph.shapes.get(ctx.node.outputs[0])!;
  const overSpatial =
    out.length === 2
      ? out[1] === x.shape[1]
      : out[2] === 1 && out[3] === 1 && out[1] === x.shape[1];
  if (!overSpatial)
    throw ctx.fail('ReduceMean over other axes than height and width is not supported.');
  const layer = ctx.tf.layers.globalAveragePooling2d({ name: ctx.layerName() });
  return {
    tensor: ctx.apply(layer, x.tensor),
    shape: out,
    layout: 'flat',
    nonNegative: x.nonNegative,
  };
}

// Stored (NHWC) axis i holds ONNX axis NHWC_TO_NCHW[i]; ONNX axis a is stored at NCHW_TO_NHWC[a].
const NHWC_TO_NCHW = [0, 2, 3, 1];
const NCHW_TO_NHWC = [0, 3, 1, 2];

export function translateTranspose(ctx: TranslationContext): Translation {
  const x = ctx.value(0);
  const perm = intsAttr(ctx.node, 'perm') ?? x.shape.map((_, i) => x.shape.length - 1 - i);
  const shape = perm.map((p) => x.shape[p]);
  if (perm.every((p, i) => p === i)) return x;
  // NCHW <-> [N, H, W, C] (ConvNeXt's Permute): the storage is the same, the value is aliased.
  if (x.layout === 'nhwc' && perm.join() === '0,2,3,1')
    return { ...x, shape, layout: 'channelsLast' };
  if (x.layout === 'channelsLast' && perm.join() === '0,3,1,2')
    return { ...x, shape, layout: 'nhwc' };
  // Moving only axes of size 1 keeps ONNX's element order, which a flat value is stored in.
  const moved = perm.filter((p) => x.shape[p] !== 1);
  if (x.layout === 'flat' && moved.every((p, i) => i === 0 || p > moved[i - 1])) {
    return { ...x, shape };
  }
  if (x.layout !== 'nhwc' || perm[0] !== 0) {
    throw ctx.fail(
      `transposing [${x.shape.join(', ')}] with perm [${perm.join(', ')}] is not supported.`,
    );
  }
  const dims = [1, 2, 3].map((i) => NCHW_TO_NHWC[perm[NHWC_TO_NCHW[i]]]);
  const layer = ctx.tf.layers.permute({ dims, name: ctx.layerName() });
  return { ...x, tensor: ctx.apply(layer, x.tensor), shape };
}

export function translateConcat(ctx: TranslationContext): Translation {
  const parts = ctx.node.inputs.map((_, i) => ctx.value(i));
  // DenseNet's first dense layer concatenates a list of one tensor: that tensor.
  if (parts.length === 1) return parts[0];
  const rank = parts[0].shape.length;
  const raw = intAttr(ctx.node, 'axis', 1);
  const axis = raw < 0 ? raw + rank : raw;
  const values = rank === 4 ? parts.map((p) => materialize4d(ctx, p)) : parts;
  if (values.some((v) => v.layout !== values[0].layout || v.layout === 'flatNhwc')) {
    throw ctx.fail('concatenating values of different layouts is not supported.');
  }
  const stored = rank === 4 ? NCHW_TO_NHWC[axis] : axis;
  if (stored === 0) throw ctx.fail('concatenating along the batch axis is not supported.');
  const layer = ctx.tf.layers.concatenate({ axis: stored, name: ctx.layerName() });
  return {
    tensor: ctx.apply(
      layer,
      values.map((v) => v.tensor),
    ),
    shape: ctx.graph.shapes.get(ctx.node.outputs[0])!,
    layout: values[0].layout,
    nonNegative: values.every((v) => v.nonNegative),
  };
}

export function translatePad(ctx: TranslationContext): Translation {
  const x = materialize4d(ctx, ctx.value(0));
  const pads = ctx.constant(1)
    ? Array.from(ctx.constant(1)!.data)
    : (intsAttr(ctx.node, 'pads') ?? []);
  const value =
    ctx.constant(2)?.data[0] ??
    (ctx.node.attributes.has('value') ? Number(ctx.node.attributes.get('value')) : 0);
  const mode = stringAttr(ctx.node, 'mode', 'constant');
  if (pads[0] || pads[1] || pads[4] || pads[5])
    throw ctx.fail('padding the batch or channel axis is not supported.');
  if (pads.some((p) => p < 0)) throw ctx.fail('negative pads (cropping) are not supported.');
  const padding: [[number, number], [number, number]] = [
    [pads[2], pads[6]],
    [pads[3], pads[7]],
  ];
  const name = ctx.layerName();
  let layer;
  if (mode === 'constant' && value === 0) layer = ctx.tf.layers.zeroPadding2d({ padding, name });
  else if (mode === 'constant' || mode === 'reflect' || mode === 'edge')
    layer = ctx.custom.pad({ padding, mode, value, name });
  else throw ctx.fail(`Pad mode '${mode}' is not supported (constant, reflect and edge are).`);
  const shape = ctx.graph.shapes.get(ctx.node.outputs[0])!;
  return {
    ...x,
    tensor: ctx.apply(layer, x.tensor),
    shape,
    nonNegative: x.nonNegative && (mode !== 'constant' || value >= 0),
  };
}
