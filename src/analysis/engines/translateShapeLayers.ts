/**
 * Element-wise, normalisation, merge and shape layers as ONNX nodes (values held channels-first).
 */
import { applyActivation, isSupportedActivation } from './translateActivations';
import {
  asKerasLayout,
  fromKerasLayout,
  heldAxis,
  type LayerContext,
  type LayerTranslator,
} from './layerTranslation';

export const translateActivationLayer: LayerTranslator = (ctx) => {
  const name = String(ctx.config.activation);
  if (!isSupportedActivation(name)) ctx.refuse(`uses activation '${name}'.`);
  return applyActivation(
    ctx.builder,
    name,
    ctx.inputs[0].name,
    ctx.outputShape.length,
    ctx.hint,
    ctx.builder.fresh(ctx.hint),
  );
};

export const translateReLU: LayerTranslator = (ctx) => {
  const b = ctx.builder;
  const max = ctx.config.maxValue;
  if (max === null || max === undefined) return b.node('Relu', [ctx.inputs[0].name], ctx.hint);
  const bounds = [
    b.floats(`${ctx.hint}/min`, [], [0]),
    b.floats(`${ctx.hint}/max`, [], [Number(max)]),
  ];
  return b.node('Clip', [ctx.inputs[0].name, ...bounds], ctx.hint);
};

export const translateLeakyReLU: LayerTranslator = (ctx) =>
  ctx.builder.node('LeakyRelu', [ctx.inputs[0].name], ctx.hint, {
    alpha: { f: Number(ctx.config.alpha ?? 0.3) },
  });

export const translateELU: LayerTranslator = (ctx) =>
  ctx.builder.node('Elu', [ctx.inputs[0].name], ctx.hint, {
    alpha: { f: Number(ctx.config.alpha ?? 1) },
  });

export const translateThresholdedReLU: LayerTranslator = (ctx) =>
  ctx.builder.node('ThresholdedRelu', [ctx.inputs[0].name], ctx.hint, {
    alpha: { f: Number(ctx.config.theta ?? 1) },
  });

export const translateSoftmax: LayerTranslator = (ctx) => {
  const configured = ctx.config.axis ?? -1;
  const axes = Array.isArray(configured) ? configured : [configured];
  if (axes.length !== 1 || typeof axes[0] !== 'number') ctx.refuse('normalises over several axes.');
  const axis = axes[0] as number;
  const rank = ctx.inputs[0].shape.length;
  return ctx.builder.node('Softmax', [ctx.inputs[0].name], ctx.hint, {
    axis: heldAxis(axis, rank),
  });
};

/** Inference mode: Dropout and noise layers pass their input through. */
export const translateIdentity: LayerTranslator = (ctx) =>
  ctx.builder.node('Identity', [ctx.inputs[0].name], ctx.hint);

export const translateBatchNorm: LayerTranslator = (ctx) => {
  const b = ctx.builder;
  const rank = ctx.inputs[0].shape.length;
  const axis = Number(ctx.config.axis ?? -1);
  if (heldAxis(axis, rank) !== 1) ctx.refuse(`normalises axis ${axis}, not the channels.`);
  const channels = ctx.inputs[0].shape[rank - 1];
  const mean = ctx.requireWeight('moving_mean').values;
  const variance = ctx.requireWeight('moving_variance').values;
  const gamma = ctx.config.scale === false ? undefined : ctx.weight('gamma')?.values;
  const beta = ctx.config.center === false ? undefined : ctx.weight('beta')?.values;
  const param = (hint: string, values: Float32Array | undefined, fill: number) =>
    b.floats(`${ctx.hint}/${hint}`, [channels], values ?? new Float32Array(channels).fill(fill));
  return b.node(
    'BatchNormalization',
    [
      ctx.inputs[0].name,
      param('gamma', gamma, 1),
      param('beta', beta, 0),
      param('mean', mean, 0),
      param('var', variance, 1),
    ],
    ctx.hint,
    { epsilon: { f: Number(ctx.config.epsilon ?? 1e-3) } },
  );
};

/** Keras flattens channels-last: go back to that order first, so Dense sees the same features. */
export const translateFlatten: LayerTranslator = (ctx) => {
  const b = ctx.builder;
  const keras = asKerasLayout(b, ctx.inputs[0], ctx.hint);
  return b.node('Flatten', [keras], ctx.hint, { axis: 1 });
};

export const translateReshape: LayerTranslator = (ctx) => {
  const b = ctx.builder;
  const keras = asKerasLayout(b, ctx.inputs[0], ctx.hint);
  const reshaped = b.node(
    'Reshape',
    // 0: the input's own batch (the graph takes any).
    [keras, b.ints(`${ctx.hint}/shape`, [0, ...ctx.outputShape.slice(1)])],
    ctx.hint,
  );
  return fromKerasLayout(b, reshaped, ctx.outputShape.length, ctx.hint);
};

export const translatePermute: LayerTranslator = (ctx) => {
  const b = ctx.builder;
  const dims = ctx.config.dims as number[];
  const keras = asKerasLayout(b, ctx.inputs[0], ctx.hint);
  const permuted = b.node('Transpose', [keras], ctx.hint, { perm: [0, ...dims] });
  return fromKerasLayout(b, permuted, ctx.outputShape.length, ctx.hint);
};

function pairs(ctx: LayerContext, key: string): [number, number][] {
  if (ctx.config.dataFormat !== undefined && ctx.config.dataFormat !== 'channelsLast') {
    ctx.refuse(`uses dataFormat '${String(ctx.config.dataFormat)}'.`);
  }
  const value = ctx.config[key] as number | number[] | number[][];
  const rank = ctx.inputs[0].shape.length - 2;
  if (typeof value === 'number') return new Array(rank).fill([value, value]);
  return (value as (number | number[])[]).map((p) => (Array.isArray(p) ? [p[0], p[1]] : [p, p]));
}

export const translateZeroPadding: LayerTranslator = (ctx) => {
  const b = ctx.builder;
  const spatial = pairs(ctx, 'padding');
  const pads = [0, 0, ...spatial.map((p) => p[0]), 0, 0, ...spatial.map((p) => p[1])];
  return b.node('Pad', [ctx.inputs[0].name, b.ints(`${ctx.hint}/pads`, pads)], ctx.hint, {
    mode: 'constant',
  });
};

export const translateCropping: LayerTranslator = (ctx) => {
  const b = ctx.builder;
  const crops = pairs(ctx, 'cropping');
  const sizes = ctx.inputs[0].shape.slice(1, -1);
  const axes = crops.map((_, i) => i + 2);
  const starts = crops.map((c) => c[0]);
  const ends = crops.map((c, i) => sizes[i] - c[1]);
  return b.node(
    'Slice',
    [
      ctx.inputs[0].name,
      b.ints(`${ctx.hint}/starts`, starts),
      b.ints(`${ctx.hint}/ends`, ends),
      b.ints(`${ctx.hint}/axes`, axes),
    ],
    ctx.hint,
  );
};

/** tfjs resizes without half-pixel centres or corner alignment: ONNX's `asymmetric` mapping. */
export const translateUpSampling: LayerTranslator = (ctx) => {
  const b = ctx.builder;
  const size = ctx.config.size as number[];
  const interpolation = String(ctx.config.interpolation ?? 'nearest');
  if (interpolation !== 'nearest' && interpolation !== 'bilinear') {
    ctx.refuse(`uses interpolation '${interpolation}'.`);
  }
  const scales = b.floats(`${ctx.hint}/scales`, [4], [1, 1, size[0], size[1]]);
  return b.node('Resize', [ctx.inputs[0].name, '', scales], ctx.hint, {
    mode: interpolation === 'nearest' ? 'nearest' : 'linear',
    coordinate_transformation_mode: 'asymmetric',
    nearest_mode: 'floor',
  });
};

function sameRanks(ctx: LayerContext): void {
  const rank = ctx.inputs[0].shape.length;
  if (ctx.inputs.some((v) => v.shape.length !== rank)) {
    ctx.refuse('merges tensors of different ranks.');
  }
}

function chain(opType: string): LayerTranslator {
  return (ctx) => {
    sameRanks(ctx);
    const b = ctx.builder;
    return ctx.inputs
      .slice(1)
      .reduce((acc, v) => b.node(opType, [acc, v.name], ctx.hint), ctx.inputs[0].name);
  };
}

export const translateAdd = chain('Add');
export const translateMultiply = chain('Mul');
export const translateMaximum = chain('Max');
export const translateMinimum = chain('Min');

export const translateAverage: LayerTranslator = (ctx) => {
  const sum = chain('Add')(ctx);
  const scale = ctx.builder.floats(`${ctx.hint}/n`, [], [1 / ctx.inputs.length]);
  return ctx.builder.node('Mul', [sum, scale], ctx.hint);
};

export const translateConcatenate: LayerTranslator = (ctx) => {
  sameRanks(ctx);
  const rank = ctx.inputs[0].shape.length;
  const axis = heldAxis(Number(ctx.config.axis ?? -1), rank);
  return ctx.builder.node(
    'Concat',
    ctx.inputs.map((v) => v.name),
    ctx.hint,
    { axis },
  );
};
