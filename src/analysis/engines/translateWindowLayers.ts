/**
 * Convolutions, dense layers and pooling as ONNX nodes. Weights are transposed once, here:
 * Keras kernels are [...window, in, out] (HWIO), ONNX's [out, in, ...window] (OIHW).
 * `same` padding is TensorFlow's: the total padding of a dimension is split with the extra pixel
 * after (bottom/right), which ONNX states as explicit, asymmetric pads.
 */
import type { OnnxGraphBuilder } from './onnxGraphBuilder';
import { applyActivation, isSupportedActivation } from './translateActivations';
import {
  asKerasLayout,
  fromKerasLayout,
  numberList,
  type LayerContext,
  type LayerTranslator,
} from './layerTranslation';

interface Window {
  kernel: number[];
  strides: number[];
  dilation: number[];
  /** ONNX pads: all begins, then all ends. */
  pads: number[];
}

/** Spatial sizes of a Keras channels-last shape (batch and channels dropped). */
function spatial(shape: number[]): number[] {
  return shape.slice(1, -1);
}

function windowOf(ctx: LayerContext, kernelKey: string, stridesKey: string): Window {
  const { config } = ctx;
  const sizes = spatial(ctx.inputs[0].shape);
  const rank = sizes.length;
  if (config.dataFormat !== undefined && config.dataFormat !== 'channelsLast') {
    ctx.refuse(
      `uses dataFormat '${String(config.dataFormat)}'; the native engine reads channelsLast.`,
    );
  }
  const kernel = numberList(config[kernelKey], rank, kernelKey);
  const strides = numberList(config[stridesKey] ?? kernel, rank, stridesKey);
  const dilation = numberList(config.dilationRate ?? 1, rank, 'dilationRate');
  const begins: number[] = [];
  const ends: number[] = [];
  for (let i = 0; i < rank; i++) {
    const extent = (kernel[i] - 1) * dilation[i] + 1;
    let total = 0;
    if (config.padding === 'same') {
      const out = Math.ceil(sizes[i] / strides[i]);
      total = Math.max((out - 1) * strides[i] + extent - sizes[i], 0);
    } else if (config.padding !== 'valid') {
      ctx.refuse(`uses padding '${String(config.padding)}'.`);
    }
    begins.push(Math.floor(total / 2));
    ends.push(total - Math.floor(total / 2));
  }
  return { kernel, strides, dilation, pads: [...begins, ...ends] };
}

/** HWIO-style [...window, in, out] -> OIHW-style [out, in, ...window]. */
export function kernelToOnnx(values: Float32Array, shape: number[]): Float32Array {
  const window = shape.slice(0, -2);
  const [inC, outC] = shape.slice(-2);
  const taps = window.reduce((a, b) => a * b, 1);
  const out = new Float32Array(values.length);
  for (let t = 0; t < taps; t++)
    for (let i = 0; i < inC; i++)
      for (let o = 0; o < outC; o++) {
        out[(o * inC + i) * taps + t] = values[(t * inC + i) * outC + o];
      }
  return out;
}

function activationName(ctx: LayerContext): string {
  const name = String(ctx.config.activation ?? 'linear');
  if (!isSupportedActivation(name)) ctx.refuse(`uses activation '${name}'.`);
  return name;
}

function finish(ctx: LayerContext, x: string): string {
  return applyActivation(ctx.builder, activationName(ctx), x, ctx.outputShape.length, ctx.hint);
}

function convNode(
  ctx: LayerContext,
  x: string,
  weights: { values: Float32Array; shape: number[] },
  bias: Float32Array | undefined,
  window: Window,
  group = 1,
): string {
  const b = ctx.builder;
  const onnxShape = [
    weights.shape[weights.shape.length - 1],
    weights.shape[weights.shape.length - 2],
    ...weights.shape.slice(0, -2),
  ];
  const inputs = [
    x,
    b.floats(`${ctx.hint}/W`, onnxShape, kernelToOnnx(weights.values, weights.shape)),
  ];
  if (bias) inputs.push(b.floats(`${ctx.hint}/B`, [bias.length], bias));
  return b.node('Conv', inputs, ctx.hint, {
    kernel_shape: window.kernel,
    strides: window.strides,
    dilations: window.dilation,
    pads: window.pads,
    group,
  });
}

function optionalBias(ctx: LayerContext): Float32Array | undefined {
  return ctx.config.useBias === false ? undefined : ctx.weight('bias')?.values;
}

export const translateConv: LayerTranslator = (ctx) => {
  const window = windowOf(ctx, 'kernelSize', 'strides');
  const kernel = ctx.requireWeight('kernel');
  const y = convNode(ctx, ctx.inputs[0].name, kernel, optionalBias(ctx), window);
  return finish(ctx, y);
};

/** Keras depthwise kernel [...window, in, multiplier]: output channel i*multiplier + m. */
function depthwiseAsGrouped(kernel: { values: Float32Array; shape: number[] }) {
  const [inC, mult] = kernel.shape.slice(-2);
  // Reads as a [...window, 1, in*mult] kernel: the same memory order, one input channel per group.
  return {
    values: kernel.values,
    shape: [...kernel.shape.slice(0, -2), 1, inC * mult],
    groups: inC,
  };
}

function refuseDilatedDepthwise(ctx: LayerContext, window: Window): void {
  // tfjs 4.22 runs DepthwiseConv2D without its dilation (see the README): the engines would differ.
  if (window.dilation.some((d) => d !== 1)) {
    ctx.refuse('has a dilationRate, which TensorFlow.js ignores for depthwise convolutions.');
  }
}

export const translateDepthwiseConv: LayerTranslator = (ctx) => {
  const window = windowOf(ctx, 'kernelSize', 'strides');
  refuseDilatedDepthwise(ctx, window);
  const grouped = depthwiseAsGrouped(ctx.requireWeight('depthwise_kernel'));
  const y = convNode(ctx, ctx.inputs[0].name, grouped, optionalBias(ctx), window, grouped.groups);
  return finish(ctx, y);
};

export const translateSeparableConv: LayerTranslator = (ctx) => {
  const window = windowOf(ctx, 'kernelSize', 'strides');
  refuseDilatedDepthwise(ctx, window);
  const grouped = depthwiseAsGrouped(ctx.requireWeight('depthwise_kernel'));
  const depthwise = convNode(ctx, ctx.inputs[0].name, grouped, undefined, window, grouped.groups);
  const pointwise = ctx.requireWeight('pointwise_kernel');
  const ones = pointwise.shape.slice(0, -2).map(() => 1);
  const zeros = [...ones, ...ones].map(() => 0);
  const pointwiseWindow = { kernel: ones, strides: ones, dilation: ones, pads: zeros };
  const y = convNode(ctx, depthwise, pointwise, optionalBias(ctx), pointwiseWindow);
  return finish(ctx, y);
};

/** Dense on [N, in] is a Gemm; on higher ranks it acts on the last Keras axis (MatMul there). */
export const translateDense: LayerTranslator = (ctx) => {
  const b = ctx.builder;
  const input = ctx.inputs[0];
  const kernel = ctx.requireWeight('kernel');
  const bias = optionalBias(ctx);
  const W = b.floats(`${ctx.hint}/W`, kernel.shape, kernel.values);
  const B = bias ? b.floats(`${ctx.hint}/B`, [bias.length], bias) : undefined;
  const rank = input.shape.length;
  if (rank === 2) {
    return finish(ctx, b.node('Gemm', B ? [input.name, W, B] : [input.name, W], ctx.hint));
  }
  const keras = asKerasLayout(b, input, ctx.hint);
  const product = b.node('MatMul', [keras, W], ctx.hint);
  const biased = B ? b.node('Add', [product, B], ctx.hint) : product;
  return finish(ctx, fromKerasLayout(b, biased, rank, ctx.hint));
};

function pooling(opType: 'MaxPool' | 'AveragePool'): LayerTranslator {
  return (ctx) => {
    const window = windowOf(ctx, 'poolSize', 'strides');
    return ctx.builder.node(opType, [ctx.inputs[0].name], ctx.hint, {
      kernel_shape: window.kernel,
      strides: window.strides,
      pads: window.pads,
      // TensorFlow's average leaves the padding out of the count.
      ...(opType === 'AveragePool' ? { count_include_pad: 0 } : {}),
    });
  };
}

export const translateMaxPool = pooling('MaxPool');
export const translateAvgPool = pooling('AveragePool');

function globalPooling(opType: 'GlobalMaxPool' | 'GlobalAveragePool'): LayerTranslator {
  return (ctx) => {
    if (ctx.config.keepDims) ctx.refuse('keeps the pooled dimensions (keepDims).');
    const b: OnnxGraphBuilder = ctx.builder;
    const pooled = b.node(opType, [ctx.inputs[0].name], ctx.hint);
    return b.node('Flatten', [pooled], ctx.hint, { axis: 1 });
  };
}

export const translateGlobalMaxPool = globalPooling('GlobalMaxPool');
export const translateGlobalAvgPool = globalPooling('GlobalAveragePool');
