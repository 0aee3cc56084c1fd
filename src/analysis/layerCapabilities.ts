/**
 * What every feature can do with each layer class, in one table: one declarative entry per Keras
 * class (tfjs uses the same names; aliases such as MaxPool2D are listed so converted models and
 * user-registered layers are recognised). The structure (geometry, receptive fields), the counts,
 * the explanations (projections, Grad-CAM, arithmetic, filters), the galleries and the shape checks
 * of a model file's source (source/staticShapes.ts) all read it, so a new layer type is one entry
 * here plus its tests.
 *
 * The output layout (spatial map, sequence, vector) is the one capability not decided by the
 * class: a Dense applied to a sequence gives a sequence. It comes from the output's rank
 * (`OutputLayout`, modelSummary.ts).
 */

/** How a merge layer combines its inputs (Keras' merge layers). */
export type MergeOp =
  'add' | 'subtract' | 'multiply' | 'average' | 'maximum' | 'minimum' | 'concatenate';

/**
 * How the structure analysis treats a class (geometry and receptive-field rule):
 * - `input`: an InputLayer.
 * - `conv`: Conv1D / Conv2D. `depthwiseConv`, `separableConv`: DepthwiseConv1D/2D, SeparableConv1D/2D.
 * - `transposedConv`: a transposed convolution (counted; no receptive-field arithmetic).
 * - `pooling`: Max/AveragePooling 1D/2D (windowed). `globalPooling`: over the whole input.
 * - `zeroPadding`, `cropping`: ZeroPadding1D/2D, Cropping1D/2D.
 * - `flatten`: Flatten (whole input). `dense`: Dense (acts on the last axis only).
 * - `elementwise`: keeps every position where it is (activations, normalisation, dropout, noise...).
 * - `reshape`: Reshape; whether it keeps positions depends on the shapes.
 * - `permute`: Permute; it keeps positions when the spatial axes stay in place.
 * - `merge`: Add, Concatenate, Multiply, Average, Maximum, Minimum, Subtract.
 * - `model`: a nested LayersModel used as one layer.
 * - `spatialUnsupported`: a known layer whose position mapping receptive-field arithmetic cannot
 *   describe (UpSampling, resizing, recurrent layers...): `fieldLimit` says why.
 * - `unknown`: a class this analysis does not know (custom layers).
 */
export type StructureKind =
  | 'input'
  | 'conv'
  | 'depthwiseConv'
  | 'separableConv'
  | 'transposedConv'
  | 'pooling'
  | 'globalPooling'
  | 'zeroPadding'
  | 'cropping'
  | 'flatten'
  | 'dense'
  | 'elementwise'
  | 'reshape'
  | 'permute'
  | 'merge'
  | 'model'
  | 'spatialUnsupported'
  | 'unknown';

/**
 * How the counts (structure/counts.ts) treat a class: the MACs of a convolution of that kind or of
 * a dense layer; `free` costs no MACs (activations, pooling, batch norm, merges...); `nested`: the
 * nested model's own sum; `unknown`: not counted.
 */
export type CountsRule =
  | 'conv'
  | 'depthwiseConv'
  | 'separableConv'
  | 'transposedConv'
  | 'dense'
  | 'free'
  | 'nested'
  | 'unknown';

/**
 * What the explanations (explain/layerSpec.ts) compute for a class; `unsupported`: they stop at
 * it, with `explainLimit` as the reason. The layer's configuration can still make a supported
 * class unsupported (channels-first data, concatenation along the batch axis...).
 */
export type ExplainOp =
  | 'input'
  | 'conv'
  | 'depthwiseConv'
  | 'maxPool'
  | 'avgPool'
  | 'globalMaxPool'
  | 'globalAvgPool'
  | 'dense'
  | 'activation'
  | 'batchNorm'
  | 'layerNorm'
  | 'identity'
  | 'reshape'
  | 'zeroPadding'
  | 'cropping'
  | 'merge'
  | 'constantArithmetic'
  | 'channelSelect'
  | 'unsupported';

/** Activation layers whose function is the class itself (the others read `activation`). */
export type ActivationClass = 'relu' | 'leakyRelu' | 'elu' | 'softmax';

export interface LayerCapabilities {
  structure: StructureKind;
  /** Why receptive-field arithmetic cannot describe the class (`spatialUnsupported`, some others). */
  fieldLimit?: string;
  counts: CountsRule;
  explain: ExplainOp;
  /** Why the explanations stop at the class (`explain: 'unsupported'`). */
  explainLimit?: string;
  /** `explain: 'activation'`: the function the class computes, when it is the class itself. */
  activation?: ActivationClass;
  /** `explain: 'merge'`: how the inputs are combined. */
  mergeOp?: MergeOp;
  /**
   * Its `axis` config names the axis it keeps apart (BatchNormalization's features), not one it
   * mixes positions across (LayerNormalization, Softmax): no warning for a spatial axis.
   */
  keepsAxisApart?: true;
  /**
   * TF.js runs it without its configured `dilationRate` (tfjs 4.22's DepthwiseConv2D calls the op
   * undilated: "TODO(cais): Add support for dilation"); see structure/whatRuns.ts.
   */
  runsUndilated?: true;
  /** A max-activation gallery can be made of it (2-D windows with a receptive field). */
  gallery: boolean;
  /** The arithmetic dialog shows how one output value is computed. */
  arithmetic: boolean;
  /** The Why tab draws its filters' weights. */
  filters: boolean;
}

// The families the entries are made of; an entry can override any field.
const none = { gallery: false, arithmetic: false, filters: false } as const;
const conv: LayerCapabilities = {
  structure: 'conv',
  counts: 'conv',
  explain: 'conv',
  gallery: true,
  arithmetic: true,
  filters: true,
};
const depthwise: LayerCapabilities = {
  ...conv,
  structure: 'depthwiseConv',
  counts: 'depthwiseConv',
  explain: 'depthwiseConv',
};
const separable: LayerCapabilities = {
  ...none,
  structure: 'separableConv',
  counts: 'separableConv',
  explain: 'unsupported',
  explainLimit: 'separable convolutions are not inverted yet (depthwise + pointwise)',
  gallery: true,
};
const pool = (explain: 'maxPool' | 'avgPool'): LayerCapabilities => ({
  ...none,
  structure: 'pooling',
  counts: 'free',
  explain,
  gallery: true,
  arithmetic: true,
});
const globalPool = (explain: 'globalMaxPool' | 'globalAvgPool'): LayerCapabilities => ({
  ...none,
  structure: 'globalPooling',
  counts: 'free',
  explain,
});
const positionWise = (explain: ExplainOp, more: Partial<LayerCapabilities> = {}) =>
  ({ ...none, structure: 'elementwise', counts: 'free', explain, ...more }) as LayerCapabilities;
const activation = (fn?: ActivationClass) =>
  positionWise('activation', fn ? { activation: fn } : {});
const notInverted = (className: string) =>
  positionWise('unsupported', {
    explainLimit: `${className} is not inverted by these projections`,
  });
const merge = (mergeOp: MergeOp): LayerCapabilities => ({
  ...none,
  structure: 'merge',
  counts: 'free',
  explain: 'merge',
  mergeOp,
});
const shapeOnly = (structure: StructureKind, explain: ExplainOp): LayerCapabilities => ({
  ...none,
  structure,
  counts: 'free',
  explain,
});
const nestedModel: LayerCapabilities = {
  ...none,
  structure: 'model',
  counts: 'nested',
  explain: 'unsupported',
  explainLimit: 'a nested model is one layer here; its layers are not inverted',
};
/** A known class that neither receptive-field arithmetic nor the explanations describe. */
const beyond = (
  reason: string,
  structure: StructureKind = 'spatialUnsupported',
  counts: CountsRule = 'free',
): LayerCapabilities => ({
  ...none,
  structure,
  counts,
  fieldLimit: reason,
  explain: 'unsupported',
  explainLimit: reason,
});

const UPSAMPLING =
  'UpSampling repeats each input position several times, so output units are not evenly spaced windows of the input';
/** Why no (size, jump) describes the units after a resize (README: receptive fields after Resize). */
const RESIZE_FIELD =
  'so its units are not evenly spaced windows of the input: after a x2 upsampling a 2-wide window reads 1 input position at even units and 2 at odd ones, and no single size and jump describe the units (receptive fields are not defined from here on)';
/** A resize: its own field reason; the explanations keep their own wording. */
const resize = (what: string, explain: string): LayerCapabilities => ({
  ...beyond(`${what}, ${RESIZE_FIELD}`),
  explainLimit: explain,
});
const TRANSPOSED =
  'a transposed convolution has a fractional stride: neighbouring output units see different numbers of input units';
const RECURRENT =
  'a recurrent layer lets each step depend on all earlier steps, not on a fixed window';
const RANDOM_RESIZE = 'random resizing changes the geometry at every call';
const CONV_3D = '3-D convolutions are outside this analysis (1-D and 2-D only)';
const POOL_3D = '3-D pooling is outside this analysis (1-D and 2-D only)';

export const LAYER_CAPABILITIES: Readonly<Record<string, LayerCapabilities>> = {
  InputLayer: shapeOnly('input', 'input'),
  Conv1D: conv,
  Conv2D: conv,
  Convolution1D: conv,
  Convolution2D: conv,
  DepthwiseConv1D: depthwise,
  DepthwiseConv2D: { ...depthwise, runsUndilated: true },
  SeparableConv1D: separable,
  SeparableConv2D: separable,
  Conv1DTranspose: beyond(TRANSPOSED, 'transposedConv', 'transposedConv'),
  Conv2DTranspose: beyond(TRANSPOSED, 'transposedConv', 'transposedConv'),
  MaxPooling1D: pool('maxPool'),
  MaxPooling2D: pool('maxPool'),
  MaxPool1D: pool('maxPool'),
  MaxPool2D: pool('maxPool'),
  AveragePooling1D: pool('avgPool'),
  AveragePooling2D: pool('avgPool'),
  AvgPool1D: pool('avgPool'),
  AvgPool2D: pool('avgPool'),
  GlobalAveragePooling1D: globalPool('globalAvgPool'),
  GlobalAveragePooling2D: globalPool('globalAvgPool'),
  GlobalAvgPool1D: globalPool('globalAvgPool'),
  GlobalAvgPool2D: globalPool('globalAvgPool'),
  GlobalMaxPooling1D: globalPool('globalMaxPool'),
  GlobalMaxPooling2D: globalPool('globalMaxPool'),
  GlobalMaxPool1D: globalPool('globalMaxPool'),
  GlobalMaxPool2D: globalPool('globalMaxPool'),
  ZeroPadding1D: shapeOnly('zeroPadding', 'zeroPadding'),
  ZeroPadding2D: shapeOnly('zeroPadding', 'zeroPadding'),
  Cropping1D: shapeOnly('cropping', 'cropping'),
  Cropping2D: shapeOnly('cropping', 'cropping'),
  Flatten: shapeOnly('flatten', 'reshape'),
  Reshape: shapeOnly('reshape', 'reshape'),
  Permute: { ...shapeOnly('permute', 'unsupported'), explainLimit: 'Permute reorders axes' },
  Dense: { ...none, structure: 'dense', counts: 'dense', explain: 'dense' },
  Activation: activation(),
  ReLU: activation('relu'),
  LeakyReLU: activation('leakyRelu'),
  ELU: activation('elu'),
  Softmax: activation('softmax'),
  PReLU: notInverted('PReLU'),
  ThresholdedReLU: notInverted('ThresholdedReLU'),
  BatchNormalization: positionWise('batchNorm', { keepsAxisApart: true }),
  LayerNormalization: positionWise('layerNorm'),
  Rescaling: notInverted('Rescaling'),
  Dropout: positionWise('identity'),
  SpatialDropout1D: positionWise('identity'),
  SpatialDropout2D: positionWise('identity'),
  GaussianDropout: positionWise('identity'),
  GaussianNoise: positionWise('identity'),
  AlphaDropout: positionWise('identity'),
  Masking: positionWise('identity'),
  Add: merge('add'),
  Subtract: merge('subtract'),
  Multiply: merge('multiply'),
  Average: merge('average'),
  Maximum: merge('maximum'),
  Minimum: merge('minimum'),
  Concatenate: merge('concatenate'),
  // The ONNX import's own layers (src/analysis/onnx/customLayers.ts, groupedConvLayer.ts).
  OnnxPad2D: shapeOnly('zeroPadding', 'zeroPadding'),
  OnnxElementwise: positionWise('constantArithmetic'),
  OnnxBroadcast: {
    ...merge('add'),
    mergeOp: undefined,
    explain: 'unsupported',
    explainLimit: 'OnnxBroadcast (broadcasting arithmetic) is not inverted',
  },
  OnnxGroupedConv2D: conv,
  OnnxCubicResize2D: resize(
    'bicubic resizing reads the 4 input positions around a fractional source coordinate per axis, fewer at the edges',
    'bicubic resizing interpolates between input positions',
  ),
  OnnxResize2D: resize(
    'bilinear resizing reads the 1 or 2 input positions around a fractional source coordinate per axis',
    'bilinear resizing interpolates between input positions',
  ),
  // Channel-only layers (ShuffleNet's split and shuffle): every position stays in place, so
  // receptive fields pass through unchanged; no weights, no MACs. The projections invert them
  // exactly: each output channel's signal goes back to the input channel it was taken from.
  OnnxChannelSlice: positionWise('channelSelect'),
  OnnxChannelShuffle: positionWise('channelSelect'),
  // Max pooling with a dilated window: its config has MaxPooling2D's fields plus dilationRate.
  OnnxMaxPool2D: pool('maxPool'),
  // A grouped or dilated transposed convolution: Conv2DTranspose's config plus groups/dilation.
  OnnxConvTranspose2D: beyond(TRANSPOSED, 'transposedConv', 'transposedConv'),
  Functional: nestedModel,
  Sequential: nestedModel,
  Model: nestedModel,
  UpSampling1D: resize('UpSampling repeats each input position several times', UPSAMPLING),
  UpSampling2D: resize('UpSampling repeats each input position several times', UPSAMPLING),
  Resizing: beyond('resizing interpolates at non-integer positions that depend on the image size'),
  CenterCrop: beyond('CenterCrop resizes or crops depending on the image size'),
  RandomWidth: beyond(RANDOM_RESIZE),
  RandomHeight: beyond(RANDOM_RESIZE),
  LSTM: beyond(RECURRENT),
  GRU: beyond(RECURRENT),
  SimpleRNN: beyond(RECURRENT),
  RNN: beyond(RECURRENT),
  ConvLSTM2D: beyond(RECURRENT),
  Bidirectional: beyond(
    'a recurrent layer lets each step depend on all other steps, not on a fixed window',
  ),
  TimeDistributed: beyond('TimeDistributed wraps another layer whose geometry is not analysed'),
  Conv3D: beyond(CONV_3D),
  Conv3DTranspose: beyond(CONV_3D, 'transposedConv', 'transposedConv'),
  MaxPooling3D: beyond(POOL_3D),
  AveragePooling3D: beyond(POOL_3D),
  Embedding: beyond('Embedding maps token ids, not image positions'),
  RepeatVector: beyond('RepeatVector copies one vector to every new position'),
  Dot: beyond('Dot contracts whole axes, mixing positions'),
  MultiHeadAttention: beyond('attention lets every position depend on every other position'),
  EinsumDense: beyond('EinsumDense may contract spatial axes'),
};

/** The capabilities of a class; a class not in the table is `unknown` to every feature. */
export function layerCapabilities(className: string): LayerCapabilities {
  if (Object.hasOwn(LAYER_CAPABILITIES, className)) return LAYER_CAPABILITIES[className];
  return beyond(
    `unknown layer class '${className}': its position mapping cannot be known`,
    'unknown',
    'unknown',
  );
}

/** `tf.layers` factories whose name is not their class's name in lower camel case. */
const FACTORY_CLASSES: Readonly<Record<string, string>> = {
  avgPooling1d: 'AveragePooling1D',
  avgPooling2d: 'AveragePooling2D',
};
const CLASS_BY_LOWER_NAME = new Map(
  Object.keys(LAYER_CAPABILITIES).map((c) => [c.toLowerCase(), c]),
);

/**
 * The capabilities of the class a `tf.layers` factory builds, as a model file's source calls it:
 * a factory is its class's name in lower camel case (`conv2d` builds Conv2D, `leakyReLU`
 * LeakyReLU, `prelu` PReLU), so the table needs no second list of names.
 */
export function factoryCapabilities(factory: string): LayerCapabilities {
  const className = Object.hasOwn(FACTORY_CLASSES, factory)
    ? FACTORY_CLASSES[factory]
    : CLASS_BY_LOWER_NAME.get(factory.toLowerCase());
  return layerCapabilities(className ?? factory);
}
