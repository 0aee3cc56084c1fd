// Plain, JSON-serialisable description of a tf.LayersModel's structure. Nothing here holds a
// tensor or a tfjs object, so it can cross a worker/webview boundary as it is.
import type { StructureKind } from '../layerCapabilities';

/** One dimension of a shape; `null` where the model leaves it free (e.g. a dynamic image size). */
export type Dim = number | null;
/** A tensor shape without the batch dimension. */
export type Shape = Dim[];

export type { StructureKind };
export type PaddingMode = 'valid' | 'same' | 'causal';
export type DataFormat = 'channelsLast' | 'channelsFirst';

/** The configuration that decides a layer's geometry, normalised to per-axis arrays. */
export interface LayerGeometry {
  dataFormat: DataFormat;
  /** Number of spatial axes the layer works on (1 for *1D layers, 2 for *2D); 0 when not spatial. */
  spatialRank: number;
  kernelSize?: number[];
  strides?: number[];
  padding?: PaddingMode;
  /** The dilation that runs (see whatRuns.ts), which may differ from the configured one. */
  dilationRate?: number[];
  /** The configured dilation, when TF.js ignores it. */
  configuredDilationRate?: number[];
  /** Why the geometry differs from the layer's config, for the reader. */
  ignoredConfig?: string;
  poolSize?: number[];
  depthMultiplier?: number;
  filters?: number;
  units?: number;
  groups?: number;
  /** Per axis [before, after], for ZeroPadding layers. */
  zeroPadding?: [number, number][];
  /** Per axis [before, after], for Cropping layers. */
  cropping?: [number, number][];
  /** Per axis factor, for UpSampling layers. */
  upSamplingSize?: number[];
  /** Axis config of Concatenate / LayerNormalization / Softmax (negative = from the end, batch included as in tfjs). */
  axis?: number[];
  /** Reshape target shape or Permute dims, as configured. */
  targetShape?: number[];
  permuteDims?: number[];
}

export interface WeightInfo {
  name: string;
  shape: number[];
  /** False for batch-norm moving statistics and for weights of frozen layers, as in Keras. */
  trainable: boolean;
  size: number;
}

/** One more call of a layer applied several times (shared layer) inside the model. */
export interface LayerApplication {
  inbound: string[];
  inputShapes: Shape[];
  outputShapes: Shape[];
}

export interface LayerNode {
  name: string;
  className: string;
  /** How the structure analysis treats its class (../layerCapabilities.ts). */
  kind: StructureKind;
  geometry: LayerGeometry;
  /**
   * Names of the layers feeding this layer's first application inside the model, in input order.
   * A shared layer (applied n > 1 times) is described by its first application; the others are
   * listed in `extraApplications` (counted for compute, not for receptive fields).
   */
  inbound: string[];
  /** For each inbound layer, which of its applications (tfjs node index) feeds this layer. */
  inboundApplication: number[];
  /** For each inbound layer, which of its outputs feeds this layer. */
  inboundOutputIndex: number[];
  inputShapes: Shape[];
  outputShapes: Shape[];
  /** The single output shape, or null for layers with several outputs. */
  outputShape: Shape | null;
  weights: WeightInfo[];
  /** How many times the layer is applied inside this model (1 unless shared). */
  applications: number;
  extraApplications: LayerApplication[];
  /** Why the class is unsupported for receptive fields (kinds `spatialUnsupported` / `unknown`). */
  unsupportedReason?: string;
  /** Structure of a nested model used as a layer. */
  nested?: LayerGraph;
  warnings: string[];
}

export interface LayerGraph {
  modelName: string;
  inputNames: string[];
  outputNames: string[];
  /** In model.layers order (topological), with InputLayers first when the model hides them (Sequential). */
  layers: LayerNode[];
}
