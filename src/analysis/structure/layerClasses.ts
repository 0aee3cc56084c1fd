import type { LayerKind } from './types';

// Keras class names (tfjs uses the same ones); Keras aliases such as MaxPool2D are listed too so
// models converted from Keras or registered by users under those names are recognised.
const KIND_BY_CLASS: Record<string, LayerKind> = {
  InputLayer: 'input',
  Conv1D: 'conv',
  Conv2D: 'conv',
  Convolution1D: 'conv',
  Convolution2D: 'conv',
  DepthwiseConv1D: 'depthwiseConv',
  DepthwiseConv2D: 'depthwiseConv',
  SeparableConv1D: 'separableConv',
  SeparableConv2D: 'separableConv',
  Conv1DTranspose: 'transposedConv',
  Conv2DTranspose: 'transposedConv',
  MaxPooling1D: 'pooling',
  MaxPooling2D: 'pooling',
  MaxPool1D: 'pooling',
  MaxPool2D: 'pooling',
  AveragePooling1D: 'pooling',
  AveragePooling2D: 'pooling',
  AvgPool1D: 'pooling',
  AvgPool2D: 'pooling',
  GlobalAveragePooling1D: 'globalPooling',
  GlobalAveragePooling2D: 'globalPooling',
  GlobalMaxPooling1D: 'globalPooling',
  GlobalMaxPooling2D: 'globalPooling',
  GlobalAvgPool1D: 'globalPooling',
  GlobalAvgPool2D: 'globalPooling',
  GlobalMaxPool1D: 'globalPooling',
  GlobalMaxPool2D: 'globalPooling',
  ZeroPadding1D: 'zeroPadding',
  ZeroPadding2D: 'zeroPadding',
  Cropping1D: 'cropping',
  Cropping2D: 'cropping',
  Flatten: 'flatten',
  Dense: 'dense',
  Activation: 'elementwise',
  ReLU: 'elementwise',
  LeakyReLU: 'elementwise',
  PReLU: 'elementwise',
  ELU: 'elementwise',
  ThresholdedReLU: 'elementwise',
  Softmax: 'elementwise',
  BatchNormalization: 'elementwise',
  LayerNormalization: 'elementwise',
  Dropout: 'elementwise',
  SpatialDropout1D: 'elementwise',
  SpatialDropout2D: 'elementwise',
  GaussianDropout: 'elementwise',
  GaussianNoise: 'elementwise',
  AlphaDropout: 'elementwise',
  Rescaling: 'elementwise',
  Masking: 'elementwise',
  Reshape: 'reshape',
  Permute: 'reshape',
  Add: 'merge',
  Subtract: 'merge',
  Multiply: 'merge',
  Average: 'merge',
  Maximum: 'merge',
  Minimum: 'merge',
  Concatenate: 'merge',
  // The ONNX import's own layers (src/analysis/onnx/customLayers.ts).
  OnnxPad2D: 'zeroPadding',
  OnnxElementwise: 'elementwise',
  OnnxBroadcast: 'merge',
  OnnxGroupedConv2D: 'conv',
  Functional: 'model',
  Sequential: 'model',
  Model: 'model',
};

const UNSUPPORTED_REASONS: Record<string, string> = {
  UpSampling1D:
    'UpSampling repeats each input position several times, so output units are not evenly spaced windows of the input (receptive-field arithmetic needs stride >= 1)',
  UpSampling2D:
    'UpSampling repeats each input position several times, so output units are not evenly spaced windows of the input (receptive-field arithmetic needs stride >= 1)',
  Conv1DTranspose:
    'a transposed convolution has a fractional stride: neighbouring output units see different numbers of input units',
  Conv2DTranspose:
    'a transposed convolution has a fractional stride: neighbouring output units see different numbers of input units',
  Resizing: 'resizing interpolates at non-integer positions that depend on the image size',
  CenterCrop: 'CenterCrop resizes or crops depending on the image size',
  RandomWidth: 'random resizing changes the geometry at every call',
  RandomHeight: 'random resizing changes the geometry at every call',
  LSTM: 'a recurrent layer lets each step depend on all earlier steps, not on a fixed window',
  GRU: 'a recurrent layer lets each step depend on all earlier steps, not on a fixed window',
  SimpleRNN: 'a recurrent layer lets each step depend on all earlier steps, not on a fixed window',
  RNN: 'a recurrent layer lets each step depend on all earlier steps, not on a fixed window',
  ConvLSTM2D: 'a recurrent layer lets each step depend on all earlier steps, not on a fixed window',
  Bidirectional:
    'a recurrent layer lets each step depend on all other steps, not on a fixed window',
  TimeDistributed: 'TimeDistributed wraps another layer whose geometry is not analysed',
  Conv3D: '3-D convolutions are outside this analysis (1-D and 2-D only)',
  Conv3DTranspose: '3-D convolutions are outside this analysis (1-D and 2-D only)',
  MaxPooling3D: '3-D pooling is outside this analysis (1-D and 2-D only)',
  AveragePooling3D: '3-D pooling is outside this analysis (1-D and 2-D only)',
  Embedding: 'Embedding maps token ids, not image positions',
  RepeatVector: 'RepeatVector copies one vector to every new position',
  Dot: 'Dot contracts whole axes, mixing positions',
  MultiHeadAttention: 'attention lets every position depend on every other position',
  EinsumDense: 'EinsumDense may contract spatial axes',
};

export function layerKindOf(className: string): LayerKind {
  if (KIND_BY_CLASS[className] !== undefined) return KIND_BY_CLASS[className];
  if (UNSUPPORTED_REASONS[className] !== undefined) {
    return className.endsWith('Transpose') ? 'transposedConv' : 'spatialUnsupported';
  }
  return 'unknown';
}

export function unsupportedReasonOf(className: string): string | undefined {
  if (UNSUPPORTED_REASONS[className] !== undefined) return UNSUPPORTED_REASONS[className];
  if (layerKindOf(className) === 'unknown') {
    return `unknown layer class '${className}': its position mapping cannot be known`;
  }
  return undefined;
}
