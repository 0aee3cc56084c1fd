/**
 * ONNX Resize (opset 11+: X, roi, scales, sizes; opset 10: X, scales) of an NCHW image over its
 * height and width, as PyTorch's nn.Upsample / F.interpolate export it:
 * - `nearest` with integer factors, where every output pixel repeats one input pixel (PyTorch's
 *   `asymmetric` + `floor`, and ONNX's default `half_pixel` + `round_prefer_floor`): tfjs's
 *   UpSampling2D;
 * - `linear` (bilinear) with `half_pixel` / `pytorch_half_pixel` (PyTorch's align_corners=False),
 *   `align_corners` or `asymmetric` coordinates, any output size: OnnxResize2D.
 * - `cubic` (bicubic) with any of those coordinates and ONNX's cubic_coeff_a: OnnxCubicResize2D.
 * Other modes (antialias, cubic excluding outside pixels, nearest with fractional factors or
 * other rounding, resizing the batch or channel axis) are refused with the node named.
 */
import { floatAttr, intAttr, stringAttr } from './attributes';
import type { BuiltValue, TranslationContext, Translation } from './builderTypes';
import type { CoordinateMode } from './resizeLayers';
import { materialize4d } from './layouts';
import { nodeError } from './onnxErrors';
import type { ConstantTensor, GraphNode } from './graph';

const KNOWN = [
  'mode',
  'coordinate_transformation_mode',
  'nearest_mode',
  'cubic_coeff_a',
  'exclude_outside',
  'extrapolation_value',
  'antialias',
  'keep_aspect_ratio_policy',
  'axes',
];

/** Output [N, C, H, W] of a Resize: from `sizes`, or the input times `scales` (floored). */
export function resizeOutputShape(
  node: GraphNode,
  opset: number,
  x: number[],
  constants: (ConstantTensor | undefined)[],
): number[] {
  const scales = opset < 11 ? constants[1] : constants[2];
  const sizes = opset < 11 ? undefined : constants[3];
  if (node.attributes.has('axes')) {
    throw nodeError(node, opset, "the 'axes' attribute is not supported.");
  }
  let out: number[];
  if (sizes && sizes.data.length > 0) out = Array.from(sizes.data);
  else if (scales && scales.data.length > 0) {
    out = x.map((d, i) => Math.floor(d * scales.data[i]));
  } else throw nodeError(node, opset, 'its scales or sizes must be constant.');
  if (out.length !== 4 || out[0] !== x[0] || out[1] !== x[1]) {
    throw nodeError(
      node,
      opset,
      `resizing [${x.join(', ')}] to [${out.join(', ')}] is not supported (height and width only).`,
    );
  }
  return out;
}

export function translateResize(ctx: TranslationContext): Translation {
  const { node, graph, tf } = ctx;
  for (const name of node.attributes.keys()) {
    if (!KNOWN.includes(name)) throw ctx.fail(`attribute '${name}' is not supported.`);
  }
  const x = materialize4d(ctx, ctx.value(0));
  const out = graph.shapes.get(node.outputs[0])!;
  const [inH, inW] = [x.shape[2], x.shape[3]];
  const [outH, outW] = [out[2], out[3]];
  const mode = stringAttr(node, 'mode', 'nearest');
  const coordinates = stringAttr(node, 'coordinate_transformation_mode', 'half_pixel');
  if (Number(node.attributes.get('antialias') ?? 0) !== 0) {
    throw ctx.fail('antialiased resizing is not supported.');
  }
  if (mode === 'nearest') {
    const rounding = stringAttr(node, 'nearest_mode', 'round_prefer_floor');
    const repeats =
      (coordinates === 'asymmetric' && rounding === 'floor') ||
      ((coordinates === 'half_pixel' || coordinates === 'pytorch_half_pixel') &&
        rounding.startsWith('round_prefer'));
    if (!repeats || outH % inH !== 0 || outW % inW !== 0) {
      throw ctx.fail(
        `nearest resizing is supported for integer factors with asymmetric/floor or half_pixel/round_prefer_* (got ${inH}x${inW} -> ${outH}x${outW}, ${coordinates}, ${rounding}).`,
      );
    }
    const layer = tf.layers.upSampling2d({
      size: [outH / inH, outW / inW],
      interpolation: 'nearest',
      name: ctx.layerName(),
    });
    return { ...x, tensor: ctx.apply(layer, x.tensor), shape: out };
  }
  if (mode === 'cubic') return translateCubic(ctx, x, out, coordinates);
  if (mode !== 'linear') {
    throw ctx.fail(`mode '${mode}' is not supported (nearest, linear, cubic).`);
  }
  const halfPixel =
    coordinates === 'half_pixel' ||
    // pytorch_half_pixel differs from half_pixel only for an output of size 1.
    (coordinates === 'pytorch_half_pixel' && outH > 1 && outW > 1);
  if (!halfPixel && coordinates !== 'align_corners' && coordinates !== 'asymmetric') {
    throw ctx.fail(`linear resizing with '${coordinates}' coordinates is not supported.`);
  }
  const layer = ctx.custom.resize({
    size: [outH, outW],
    alignCorners: coordinates === 'align_corners',
    halfPixelCenters: halfPixel,
    name: ctx.layerName(),
  });
  return { ...x, tensor: ctx.apply(layer, x.tensor), shape: out };
}

const CUBIC_COORDINATES = ['half_pixel', 'pytorch_half_pixel', 'align_corners', 'asymmetric'];

/** Bicubic (PyTorch's mode='bicubic': a = -0.75, the edge repeated outside the image). */
function translateCubic(
  ctx: TranslationContext,
  x: BuiltValue,
  out: number[],
  coordinates: string,
): Translation {
  if (!CUBIC_COORDINATES.includes(coordinates)) {
    throw ctx.fail(`cubic resizing with '${coordinates}' coordinates is not supported.`);
  }
  if (intAttr(ctx.node, 'exclude_outside', 0) !== 0) {
    throw ctx.fail('cubic resizing with exclude_outside=1 is not supported.');
  }
  const layer = ctx.custom.cubicResize({
    size: [out[2], out[3]],
    coordinates: coordinates as CoordinateMode,
    cubicA: floatAttr(ctx.node, 'cubic_coeff_a', -0.75),
    name: ctx.layerName(),
  });
  return { ...x, tensor: ctx.apply(layer, x.tensor), shape: out };
}
