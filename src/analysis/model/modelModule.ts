/**
 * What a loaded model file gives the inspector: its exports and the options it declares. Its own
 * module so the loaders (loadModelModule.ts, onnxModels.ts) share the type without importing each
 * other.
 */
import type * as tfType from '@tensorflow/tfjs';
import type { ChannelOrder } from '../explain/channelOrder';
import type { LayerSiteRecorder } from './layerCreationSites';

export type Preprocess = (image: tfType.Tensor3D) => tfType.Tensor | Promise<tfType.Tensor>;

export interface ModelModule {
  file: string;
  exports: Record<string, unknown>;
  preprocess?: Preprocess;
  labels?: string[];
  inputSize?: [number, number];
  /** The colour order of the model input's 3 channels after `preprocess` (default 'rgb'). */
  channelOrder?: ChannelOrder;
  /** Where the file's `tf.layers.*` calls created each layer. */
  layerSites: LayerSiteRecorder;
  /**
   * The bundle's Module, held as long as this module: Node keeps a CommonJS module's source map
   * only while its Module lives (a weak map keyed by it), and errors thrown later by the model's
   * functions (preprocess, the model's own code) need it to point at the user's lines.
   */
  bundleModule?: NodeJS.Module;
}
