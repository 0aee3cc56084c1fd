/**
 * The few layers tfjs-layers lacks for exact ONNX semantics. Everything else is composed from
 * standard layers so the analyses understand it; these classes are known to the structure analysis
 * (layerCapabilities.ts) by kind, and the projections say they do not invert the element-wise ones.
 *
 * - OnnxPad2D (padLayer.ts): padding with a constant other than 0 (max pooling pads with
 *   -Infinity), by reflection or by repeating the edge. Geometrically a ZeroPadding2D (kind
 *   `zeroPadding`).
 * - OnnxElementwise, OnnxBroadcast (elementwiseLayers.ts): Clip with other bounds than ReLU's, ELU
 *   with alpha != 1, HardSigmoid, HardSwish, arithmetic with a constant; arithmetic of two computed
 *   tensors of different (broadcastable) shapes, and Div (kind `merge`).
 * - OnnxGroupedConv2D (groupedConvLayer.ts): grouped and dilated depthwise convolutions (kind
 *   `conv`).
 * - OnnxResize2D, OnnxCubicResize2D (resizeLayers.ts): bilinear resizing with ONNX's half_pixel,
 *   align_corners or asymmetric coordinates (tfjs's UpSampling2D and Resizing use only one
 *   convention each), and bicubic resizing.
 * - OnnxChannelSlice, OnnxChannelShuffle (channelLayers.ts): ShuffleNet's channel split and
 *   channel shuffle (kind `elementwise`: positions stay where they are).
 * - OnnxMaxPool2D (poolLayers.ts): max pooling with a dilated window (kind `pooling`).
 * - OnnxConvTranspose2D (convTransposeLayer.ts): a grouped or dilated transposed convolution
 *   (kind `transposedConv`).
 */
import type { TfNamespace } from '../runtime';
import type * as tfType from '@tensorflow/tfjs';
import { padLayerClass, type PadConfig } from './padLayer';
import {
  elementwiseLayerClasses,
  type ArithmeticOp,
  type ElementwiseConfig,
} from './elementwiseLayers';
import { groupedConvClass, type GroupedConvConfig } from './groupedConvLayer';
import {
  channelLayerClasses,
  type ChannelShuffleConfig,
  type ChannelSliceConfig,
} from './channelLayers';
import { poolLayerClasses, type DilatedPoolConfig } from './poolLayers';
import { convTransposeClass, type ConvTransposeConfig } from './convTransposeLayer';
import { resizeLayerClasses, type CubicResizeConfig, type ResizeConfig } from './resizeLayers';

export const CUSTOM_LAYER_CLASSES = [
  'OnnxPad2D',
  'OnnxElementwise',
  'OnnxBroadcast',
  'OnnxGroupedConv2D',
  'OnnxResize2D',
  'OnnxChannelSlice',
  'OnnxChannelShuffle',
  'OnnxMaxPool2D',
  'OnnxConvTranspose2D',
  'OnnxCubicResize2D',
] as const;

type Named<Config> = Config & { name: string };

export interface CustomLayerFactories {
  pad(args: Named<PadConfig>): tfType.layers.Layer;
  elementwise(args: Named<ElementwiseConfig>): tfType.layers.Layer;
  broadcast(args: Named<{ op: ArithmeticOp }>): tfType.layers.Layer;
  groupedConv(args: Named<GroupedConvConfig>): tfType.layers.Layer;
  resize(args: Named<ResizeConfig>): tfType.layers.Layer;
  channelSlice(args: Named<ChannelSliceConfig>): tfType.layers.Layer;
  channelShuffle(args: Named<ChannelShuffleConfig>): tfType.layers.Layer;
  dilatedMaxPool(args: Named<DilatedPoolConfig>): tfType.layers.Layer;
  convTranspose(args: Named<ConvTransposeConfig>): tfType.layers.Layer;
  cubicResize(args: Named<CubicResizeConfig>): tfType.layers.Layer;
}

const cache = new WeakMap<object, CustomLayerFactories>();

/**
 * The classes are made from the runtime's own Layer class (the worker and the tests each have a
 * tfjs namespace) and registered with it once, so a saved model made of them loads again.
 */
export function customLayers(tf: TfNamespace): CustomLayerFactories {
  const known = cache.get(tf);
  if (known) return known;
  const factories = factoriesOf(tf);
  cache.set(tf, factories);
  return factories;
}

function factoriesOf(tf: TfNamespace): CustomLayerFactories {
  const OnnxPad2D = padLayerClass(tf);
  const { OnnxElementwise, OnnxBroadcast } = elementwiseLayerClasses(tf);
  const OnnxGroupedConv2D = groupedConvClass(tf);
  const { OnnxResize2D, OnnxCubicResize2D } = resizeLayerClasses(tf);
  const { OnnxChannelSlice, OnnxChannelShuffle } = channelLayerClasses(tf);
  const { OnnxMaxPool2D } = poolLayerClasses(tf);
  const OnnxConvTranspose2D = convTransposeClass(tf);
  for (const cls of [
    OnnxPad2D,
    OnnxElementwise,
    OnnxBroadcast,
    OnnxGroupedConv2D,
    OnnxResize2D,
    OnnxChannelSlice,
    OnnxChannelShuffle,
    OnnxMaxPool2D,
    OnnxConvTranspose2D,
    OnnxCubicResize2D,
  ]) {
    tf.serialization.registerClass(
      cls as unknown as tfType.serialization.SerializableConstructor<tfType.layers.Layer>,
    );
  }
  return {
    pad: (args) => new OnnxPad2D(args),
    elementwise: (args) => new OnnxElementwise(args),
    broadcast: (args) => new OnnxBroadcast(args),
    groupedConv: (args) => new OnnxGroupedConv2D(args),
    resize: (args) => new OnnxResize2D(args),
    channelSlice: (args) => new OnnxChannelSlice(args),
    channelShuffle: (args) => new OnnxChannelShuffle(args),
    dilatedMaxPool: (args) => new OnnxMaxPool2D(args),
    convTranspose: (args) => new OnnxConvTranspose2D(args),
    cubicResize: (args) => new OnnxCubicResize2D(args),
  };
}
