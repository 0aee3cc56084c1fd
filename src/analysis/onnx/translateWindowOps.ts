// Conv, ConvTranspose and pooling nodes -> standard tfjs layers (NHWC), with explicit ONNX pads
// and PyTorch's ceil_mode made into padding layers that the receptive-field analysis reads.
import type * as tfType from '@tensorflow/tfjs';
import {
  convTransposeAttributes,
  intAttr,
  checkAttributes,
  windowGeometry,
  type WindowGeometry,
} from './attributes';
import type { BuiltValue, TranslationContext, Translation } from './builderTypes';
import { float32Copy, permuted4d } from './weightArrays';
import { materialize4d } from './layouts';
import type { GroupedConvConfig } from './groupedConvLayer';

const WINDOW_ATTRIBUTES = ['kernel_shape', 'strides', 'dilations', 'pads', 'auto_pad'];

function inputSize(x: BuiltValue): [number, number] {
  return [x.shape[2], x.shape[3]];
}

function hasPadding(g: WindowGeometry): boolean {
  return g.pads.some(([a, b]) => a > 0 || b > 0) || g.ceilExtra.some((e) => e > 0);
}

/** Stride-1 symmetric padding of (k-1)*d/2 is what tfjs's 'same' does: no padding layer needed. */
function isSame(g: WindowGeometry): boolean {
  return [0, 1].every((a) => {
    const total = (g.kernel[a] - 1) * g.dilations[a];
    return (
      g.strides[a] === 1 &&
      total % 2 === 0 &&
      g.pads[a][0] === total / 2 &&
      g.pads[a][1] === total / 2
    );
  });
}

function padAmounts(g: WindowGeometry): [[number, number], [number, number]] {
  return [
    [g.pads[0][0], g.pads[0][1] + g.ceilExtra[0]],
    [g.pads[1][0], g.pads[1][1] + g.ceilExtra[1]],
  ];
}

function zeroPad(ctx: TranslationContext, x: BuiltValue, g: WindowGeometry): BuiltValue {
  const layer = ctx.tf.layers.zeroPadding2d({ padding: padAmounts(g), name: ctx.layerName('pad') });
  return { ...x, tensor: ctx.apply(layer, x.tensor), nonNegative: x.nonNegative };
}

type Dims4 = [number, number, number, number];

/** What every tfjs convolution layer of a Conv node is configured with. */
type ConvCommon = Pick<
  GroupedConvConfig,
  'kernelSize' | 'strides' | 'dilationRate' | 'padding' | 'useBias'
> & { name: string; kernelInitializer: 'zeros' };

/** The weights of a tfjs convolution: the ONNX kernel read as `view`, permuted by `order`, and the bias. */
function kernelAndBias(
  ctx: TranslationContext,
  view: Dims4,
  order: Dims4,
): Parameters<TranslationContext['setWeights']>[1] {
  const w = ctx.requireConstant(1, 'weights');
  const bias = ctx.constant(2);
  const shape = order.map((a) => view[a]) as Dims4;
  return () => [
    ctx.tf.tensor4d(permuted4d(w, view, order), shape),
    ...(bias ? [ctx.tf.tensor1d(float32Copy(bias))] : []),
  ];
}

/** ONNX's [out, in, kh, kw] kernels to tfjs's [kh, kw, in, out]. */
const OIHW_TO_HWIO: Dims4 = [2, 3, 1, 0];

/**
 * The tfjs layer that runs a Conv node, and how its kernel is laid out: a plain conv2d; a
 * depthwiseConv2d when each group is one input channel (ONNX output channel c*m + j reads input
 * channel c; tfjs's depthwise kernel is [kh, kw, c, j]); otherwise OnnxGroupedConv2D: grouped
 * (ResNeXt), depthwise and dilated (tfjs's DepthwiseConv2D layer drops dilation), or dilated and
 * strided (tfjs's conv2d runs one or the other).
 */
function convLayer(
  ctx: TranslationContext,
  common: ConvCommon,
  g: WindowGeometry,
  [outChannels, perGroup, kh, kw]: Dims4,
  inChannels: number,
) {
  const { tf, node } = ctx;
  const groups = intAttr(node, 'group', 1);
  const dilatedAndStrided = g.dilations.some((d) => d > 1) && g.strides.some((s) => s > 1);
  const dense = { view: [outChannels, perGroup, kh, kw] as Dims4, order: OIHW_TO_HWIO };
  if (groups === 1 && !dilatedAndStrided)
    return { layer: tf.layers.conv2d({ ...common, filters: outChannels }), ...dense };
  const depthwise =
    groups === inChannels &&
    perGroup === 1 &&
    outChannels % groups === 0 &&
    g.dilations.every((d) => d === 1);
  if (depthwise) {
    const multiplier = outChannels / groups;
    const layer = tf.layers.depthwiseConv2d({
      ...common,
      depthMultiplier: multiplier,
      depthwiseInitializer: 'zeros',
    });
    return { layer, view: [groups, multiplier, kh, kw] as Dims4, order: [2, 3, 0, 1] as Dims4 };
  }
  if (inChannels !== perGroup * groups || outChannels % groups !== 0) {
    throw ctx.fail(
      `group=${groups} does not divide the ${inChannels} input and ${outChannels} output channels.`,
    );
  }
  return { layer: ctx.custom.groupedConv({ ...common, filters: outChannels, groups }), ...dense };
}

export function translateConv(ctx: TranslationContext): Translation {
  const { node, graph } = ctx;
  checkAttributes(node, graph.opset, [...WINDOW_ATTRIBUTES, 'group']);
  let x = materialize4d(ctx, ctx.value(0));
  const dims = ctx.requireConstant(1, 'weights').dims as Dims4;
  const g = windowGeometry(node, graph.opset, inputSize(x), [dims[2], dims[3]]);
  const same = isSame(g);
  if (!same && hasPadding(g)) x = zeroPad(ctx, x, g);
  const common: ConvCommon = {
    kernelSize: g.kernel,
    strides: g.strides,
    dilationRate: g.dilations,
    padding: same ? 'same' : 'valid',
    useBias: !!ctx.constant(2),
    name: ctx.layerName(),
    kernelInitializer: 'zeros',
  };
  const { layer, view, order } = convLayer(ctx, common, g, dims, x.shape[1]);
  ctx.setWeights(layer, kernelAndBias(ctx, view, order));
  return {
    tensor: ctx.apply(layer, x.tensor),
    shape: [1, dims[0], ...g.outputSize],
    layout: 'nhwc',
    nonNegative: false,
  };
}

export function translateConvTranspose(ctx: TranslationContext): Translation {
  const { node, graph } = ctx;
  checkAttributes(node, graph.opset, [...WINDOW_ATTRIBUTES, 'group', 'output_padding']);
  const x = materialize4d(ctx, ctx.value(0));
  const dims = ctx.requireConstant(1, 'weights').dims as Dims4;
  const layer = convTransposeLayer(ctx, dims);
  // tfjs's transposed kernel is [kh, kw, out, in]: ONNX's [in, out/groups, kh, kw] permuted as OIHW.
  ctx.setWeights(layer, kernelAndBias(ctx, dims, OIHW_TO_HWIO));
  const outShape = graph.shapes.get(node.outputs[0])!;
  const tensor = cropToPads(ctx, ctx.apply(layer, x.tensor), outShape);
  return { tensor, shape: outShape, layout: 'nhwc', nonNegative: false };
}

/**
 * tfjs's Conv2DTranspose when it computes the node (no groups, no dilation), else the import's
 * OnnxConvTranspose2D, whose output is the full one plus output_padding.
 */
function convTransposeLayer(ctx: TranslationContext, [inChannels, perGroup, kh, kw]: Dims4) {
  const { groups, strides, dilations, outputPadding } = convTransposeAttributes(ctx.node);
  if (inChannels % groups !== 0) {
    throw ctx.fail(`group=${groups} does not divide its ${inChannels} input channels.`);
  }
  const { attributes } = ctx.node;
  if (attributes.has('auto_pad') && attributes.get('auto_pad') !== 'NOTSET') {
    throw ctx.fail('auto_pad on ConvTranspose is not supported; export with explicit pads.');
  }
  const plain = groups === 1 && dilations.every((d) => d === 1);
  if (!plain && outputPadding.some((p, a) => p >= strides[a])) {
    throw ctx.fail(
      `output_padding [${outputPadding.join(', ')}] not smaller than the strides is not supported with groups or dilations.`,
    );
  }
  const common = {
    kernelSize: [kh, kw] as [number, number],
    strides,
    useBias: !!ctx.constant(2),
    filters: perGroup * groups,
    name: ctx.layerName(),
  };
  return plain
    ? ctx.tf.layers.conv2dTranspose({ ...common, padding: 'valid', kernelInitializer: 'zeros' })
    : ctx.custom.convTranspose({ ...common, dilationRate: dilations, outputPadding, groups });
}

/**
 * tfjs 'valid' gives in*s + max(k - s, 0); the import's layer (in-1)*s + (k-1)*d + 1 + output
 * padding. ONNX's pads crop the start and the end, with a Cropping2D layer when there are any.
 */
function cropToPads(
  ctx: TranslationContext,
  tensor: tfType.SymbolicTensor,
  outShape: number[],
): tfType.SymbolicTensor {
  const { pads } = convTransposeAttributes(ctx.node);
  const full = tensor.shape.slice(1, 3) as number[];
  const crop = [0, 1].map(
    (a) => [pads[a], full[a] - pads[a] - outShape[a + 2]] as [number, number],
  );
  if (crop.some(([a, b]) => a < 0 || b < 0)) {
    throw ctx.fail('output_padding larger than the end padding is not supported.');
  }
  if (!crop.some(([a, b]) => a > 0 || b > 0)) return tensor;
  const cropping = crop as [[number, number], [number, number]];
  return ctx.apply(ctx.tf.layers.cropping2D({ cropping, name: ctx.layerName('crop') }), tensor);
}

export function translatePool(ctx: TranslationContext): Translation {
  const { node, graph } = ctx;
  const isMax = node.opType === 'MaxPool';
  checkAttributes(node, graph.opset, [
    ...WINDOW_ATTRIBUTES,
    'ceil_mode',
    ...(isMax ? ['storage_order'] : ['count_include_pad']),
  ]);
  if (node.outputs.length > 1 && node.outputs[1])
    throw ctx.fail("MaxPool's indices output is not supported.");
  let x = materialize4d(ctx, ctx.value(0));
  const unpadded = inputSize(x);
  const g = windowGeometry(node, graph.opset, unpadded);
  const dilated = g.dilations.some((d) => d !== 1);
  if (dilated && !isMax) throw ctx.fail('dilated average pooling is not supported.');
  // An average pads with zeros and rescales after (averageRescale).
  if (hasPadding(g)) x = isMax ? maxPoolPad(ctx, x, g) : zeroPad(ctx, x, g);
  let tensor = ctx.apply(poolLayer(ctx, g, isMax), x.tensor);
  if (!isMax) tensor = rescaleAverage(ctx, tensor, g, unpadded);
  return {
    tensor,
    shape: [1, x.shape[1], ...g.outputSize],
    layout: 'nhwc',
    nonNegative: x.nonNegative,
  };
}

/**
 * Padding must never win a max, not even a tie with a zero input: PyTorch's switches (the
 * positions the projections go back through) never fall on padding. So -Infinity, not zeros.
 */
function maxPoolPad(ctx: TranslationContext, x: BuiltValue, g: WindowGeometry): BuiltValue {
  const pad = ctx.custom.pad({
    padding: padAmounts(g),
    mode: 'constant',
    value: -Infinity,
    name: ctx.layerName('pad'),
  });
  return { ...x, tensor: ctx.apply(pad, x.tensor) };
}

/** A 'valid' pooling over the padded input; the import's OnnxMaxPool2D when dilated. */
function poolLayer(ctx: TranslationContext, g: WindowGeometry, isMax: boolean) {
  const { tf, custom } = ctx;
  const args = { poolSize: g.kernel, strides: g.strides, name: ctx.layerName() };
  if (g.dilations.some((d) => d !== 1))
    return custom.dilatedMaxPool({ ...args, dilationRate: g.dilations });
  const valid = { ...args, padding: 'valid' as const };
  return isMax ? tf.layers.maxPooling2d(valid) : tf.layers.averagePooling2d(valid);
}

/** An average pooling's output times averageRescale's constant, when one is needed. */
function rescaleAverage(
  ctx: TranslationContext,
  tensor: tfType.SymbolicTensor,
  g: WindowGeometry,
  unpadded: [number, number],
): tfType.SymbolicTensor {
  const includePad = intAttr(ctx.node, 'count_include_pad', 0) === 1;
  const rescale = averageRescale(g, unpadded, includePad);
  if (!rescale) return tensor;
  return ctx.apply(ctx.custom.elementwise({ ...rescale, name: ctx.layerName('divisor') }), tensor);
}

/**
 * AveragePooling2D divides every window by the kernel's area. PyTorch divides by the window's
 * overlap with the input (count_include_pad=0), or with the input and its pads but not the extra
 * rows ceil_mode adds (count_include_pad=1). Where the two differ, a constant per output position
 * (area / divisor) follows the pooling; undefined when none is needed.
 */
function averageRescale(
  g: WindowGeometry,
  size: [number, number],
  includePad: boolean,
): { op: 'mul'; constant: { shape: number[]; values: number[] } } | undefined {
  const divisors = [0, 1].map((a) =>
    Array.from({ length: g.outputSize[a] }, (_, i) => {
      const start = i * g.strides[a] - g.pads[a][0];
      const end = Math.min(start + g.kernel[a], size[a] + g.pads[a][1]);
      return includePad ? end - start : Math.min(end, size[a]) - Math.max(start, 0);
    }),
  );
  const area = g.kernel[0] * g.kernel[1];
  const values = divisors[0].flatMap((dh) => divisors[1].map((dw) => area / (dh * dw)));
  if (values.every((v) => v === 1)) return undefined;
  return { op: 'mul', constant: { shape: [1, ...g.outputSize, 1], values } };
}

export function translateGlobalPool(ctx: TranslationContext): Translation {
  const x = materialize4d(ctx, ctx.value(0));
  const isMax = ctx.node.opType === 'GlobalMaxPool';
  const args = { name: ctx.layerName() };
  const layer = isMax
    ? ctx.tf.layers.globalMaxPooling2d(args)
    : ctx.tf.layers.globalAveragePooling2d(args);
  return {
    tensor: ctx.apply(layer, x.tensor),
    shape: [1, x.shape[1], 1, 1],
    layout: 'flat',
    nonNegative: x.nonNegative,
  };
}
