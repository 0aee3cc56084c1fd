/**
 * A model's structure as the panel, the CLI and the report use it: one row per inspectable layer
 * joining the layer graph's geometry, the parameter/compute counts and the receptive field.
 * Computed once per loaded model (in the worker), then passed around as plain JSON.
 */
import {
  computeReceptiveFields,
  countModel,
  type DenseEquivalent,
  type Dim,
  type LayerGraph,
  type StructureKind,
  type LayerNode,
  type LayerReceptiveField,
  type Shape,
} from './index';

export interface StructureLayer {
  name: string;
  className: string;
  kind: StructureKind;
  /** Window per spatial axis: kernel size for convolutions, pool size for pooling; else null. */
  kernel: number[] | null;
  strides: number[] | null;
  /** 'valid' | 'same' | 'causal', or per-axis amounts for ZeroPadding/Cropping; else null. */
  padding: string | null;
  dilation: number[] | null;
  outputShape: Shape | null;
  params: { trainable: number; nonTrainable: number; total: number };
  weightShapes: { name: string; shape: number[]; trainable: boolean }[];
  /** Multiply-accumulates of convolutions and dense layers (0 elsewhere); null when unknown. */
  macs: number | null;
  /** Bytes of the layer's float32 output at batch 1; null when a dimension is free. */
  activationBytes: number | null;
  /** Convolutions only: the fully connected layer mapping the same volumes. */
  denseEquivalent: DenseEquivalent | null;
  receptiveField: LayerReceptiveField;
  /** Counting notes and receptive-field warnings, for the reader. */
  notes: string[];
}

export interface StructureTotals {
  trainableParams: number;
  nonTrainableParams: number;
  params: number;
  /** Sum over the layers whose MACs are known (see `layersWithUnknownMacs`). */
  macs: number;
  flops: number;
  /** Sum of the listed layers' outputs (the input itself is not counted). */
  activationBytes: number;
  layersWithUnknownMacs: string[];
}

export interface ModelStructure {
  /** Spatial size of the model input ([h, w] or [length]) the numbers were computed for. */
  inputSize: Dim[] | null;
  /** The inspectable layers (input placeholders excluded), in model order. */
  layers: StructureLayer[];
  totals: StructureTotals;
}

function windowOf(
  node: LayerNode,
): Pick<StructureLayer, 'kernel' | 'strides' | 'padding' | 'dilation'> {
  const g = node.geometry;
  const pairs = (p: [number, number][]) => p.map(([a, b]) => `${a},${b}`).join(' / ');
  switch (node.kind) {
    case 'conv':
    case 'depthwiseConv':
    case 'separableConv':
    case 'transposedConv':
      return {
        kernel: g.kernelSize ?? null,
        strides: g.strides ?? null,
        padding: g.padding ?? null,
        dilation: g.dilationRate ?? null,
      };
    case 'pooling':
      return {
        kernel: g.poolSize ?? null,
        strides: g.strides ?? null,
        padding: g.padding ?? null,
        dilation: g.dilationRate ?? null,
      };
    case 'zeroPadding':
      return {
        kernel: null,
        strides: null,
        padding: g.zeroPadding ? pairs(g.zeroPadding) : null,
        dilation: null,
      };
    case 'cropping':
      return {
        kernel: null,
        strides: null,
        padding: g.cropping ? `crop ${pairs(g.cropping)}` : null,
        dilation: null,
      };
    default:
      return { kernel: null, strides: null, padding: null, dilation: null };
  }
}

/** Joins graph, counts and receptive fields for the layers in `layerNames` (all non-input layers by default). */
export function describeStructure(graph: LayerGraph, layerNames?: string[]): ModelStructure {
  const counts = new Map(countModel(graph).layers.map((c) => [c.name, c]));
  const fields = computeReceptiveFields(graph);
  const nodes = new Map(graph.layers.map((n) => [n.name, n]));
  const names = layerNames ?? graph.layers.filter((n) => n.kind !== 'input').map((n) => n.name);
  const layers = names.map((name): StructureLayer => {
    const node = nodes.get(name);
    const c = counts.get(name);
    const rf = fields.byName[name];
    if (!node || !c || !rf)
      throw new Error(`layer '${name}' is not in the layer graph of '${graph.modelName}'`);
    return {
      name,
      className: node.className,
      kind: node.kind,
      ...windowOf(node),
      outputShape: node.outputShape,
      params: {
        trainable: c.trainableParams,
        nonTrainable: c.nonTrainableParams,
        total: c.totalParams,
      },
      weightShapes: c.weightShapes,
      macs: c.macs,
      activationBytes: c.activationBytes,
      denseEquivalent: c.denseEquivalent ?? null,
      receptiveField: rf,
      notes: [...c.notes, ...rf.warnings],
    };
  });
  const sum = (f: (l: StructureLayer) => number | null) =>
    layers.reduce((a, l) => a + (f(l) ?? 0), 0);
  const macs = sum((l) => l.macs);
  return {
    inputSize: fields.inputSize,
    layers,
    totals: {
      trainableParams: sum((l) => l.params.trainable),
      nonTrainableParams: sum((l) => l.params.nonTrainable),
      params: sum((l) => l.params.total),
      macs,
      flops: 2 * macs,
      activationBytes: sum((l) => l.activationBytes),
      layersWithUnknownMacs: layers.filter((l) => l.macs === null).map((l) => l.name),
    },
  };
}

/** The structure fields of one layer in the JSON report (schema version 1, fields only added). */
export interface StructureLayerJson {
  macs: number | null;
  activationBytes: number | null;
  /** Per spatial axis ([h, w] for images), in input pixels (Araujo et al., Distill 2019). */
  rf: { size: number[]; jump: number[]; padding: number[] } | null;
  rfUnsupported?: string;
  /**
   * Present when the field comes through a merge whose branches look at different places: `rf` is
   * the largest branch's field, and this names the merge, the branches and their offsets.
   */
  rfWarning?: string;
  /** Present when the layer has no spatial layout left (Flatten, Dense...): the field covers everything it gathered. */
  rfWholeInput?: true;
  /** Convolutions: weights of the dense layer mapping the same input volume to the same output volume (no bias). */
  denseEquivalentParams?: number;
  /** What the reader should know (a configuration TF.js ignores, counting notes, field warnings); absent when none. */
  notes?: string[];
}

export function structureLayerJson(layer: StructureLayer): StructureLayerJson {
  const { axes, reason, collapsed } = layer.receptiveField;
  const out: StructureLayerJson = {
    macs: layer.macs,
    activationBytes: layer.activationBytes,
    rf: axes
      ? {
          size: axes.map((a) => a.size),
          jump: axes.map((a) => a.jump),
          padding: axes.map((a) => a.padding),
        }
      : null,
  };
  if (!axes) out.rfUnsupported = reason ?? 'unknown reason';
  if (axes && layer.receptiveField.misalignment) out.rfWarning = layer.receptiveField.misalignment;
  if (axes && collapsed) out.rfWholeInput = true;
  if (layer.denseEquivalent) out.denseEquivalentParams = layer.denseEquivalent.params;
  if (layer.notes.length) out.notes = layer.notes;
  return out;
}
