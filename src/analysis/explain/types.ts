// Plain data shared by the explanation modules: arrays without the batch dimension, channels last,
// and each layer's computation described by its class, configuration and weights (no tf objects).
import type { ExplainOp, MergeOp } from '../layerCapabilities';

/** A dense array, row-major, channels last, without the batch dimension: [h, w, c], [steps, c], [n]. */
export interface ArrayND {
  data: Float32Array;
  shape: number[];
}

/** What a layer computes, as far as the explanations need it (its class's entry decides). */
export type LayerOp = ExplainOp;
export type { MergeOp };

export interface LayerSpec {
  name: string;
  className: string;
  op: LayerOp;
  /** 1 for *1D layers, 2 for *2D ones; 0 for layers without a window. */
  spatialRank: number;
  /** Windowed layers: per spatial axis. */
  kernelSize?: number[];
  strides?: number[];
  dilation?: number[];
  padding?: 'valid' | 'same' | 'causal';
  /** Activation applied to the layer's output: 'linear', 'relu', 'leakyRelu', 'sigmoid'... */
  activation: string;
  /** Parameter of parametrised activations (LeakyReLU / ELU alpha, ReLU maxValue). */
  activationParam?: number;
  /**
   * conv: [...kernel, inC / groups, outC]; depthwise: [...kernel, inC, multiplier]; dense:
   * [in, out].
   */
  kernel?: ArrayND;
  /** conv: channel groups (Keras' `groups`; output channel o reads group floor(o / (outC / groups))). */
  groups?: number;
  bias?: Float32Array;
  depthMultiplier?: number;
  /** Inference-time batch normalisation as y = x * scale + offset, per channel. */
  scale?: Float32Array;
  offset?: Float32Array;
  /** layerNorm (over the channels): gamma in `scale` (none: 1), and epsilon. */
  epsilon?: number;
  /** ZeroPadding / Cropping amounts per spatial axis, [before, after]. */
  amounts?: [number, number][];
  /** constantArithmetic: `x op c` (or `c op x` with constantFirst), c broadcast channels last. */
  arithmetic?: {
    op: 'add' | 'sub' | 'mul' | 'div';
    constant: { shape: number[]; values: number[] };
    constantFirst: boolean;
  };
  /** Padding that copies input values (ONNX Pad `reflect` / `edge`) instead of a constant. */
  padMode?: 'reflect' | 'edge';
  /** Merge layers: the combination, and for concatenate the axis of the unbatched arrays. */
  mergeOp?: MergeOp;
  axis?: number;
  /** channelSelect: the input channel each output channel is (a selection or permutation). */
  channelSources?: number[];
  /** Why this layer cannot be explained (op 'unsupported'). */
  reason?: string;
  /** Where what tfjs runs differs from the configuration (shown with the explanation). */
  notes?: string[];
}
