// Turns a tf.LayersModel into a plain LayerGraph. Only tfjs types are imported, so the model may
// come from any tfjs instance (the extension may run the user's own copy of TensorFlow.js).
import type * as tfType from '@tensorflow/tfjs';
import { channelDim, windowedOutputSpatial } from './geometry';
import { layerCapabilities } from '../layerCapabilities';
import { geometryFromConfig } from './layerConfig';
import type { LayerApplication, LayerGraph, LayerNode, Shape, WeightInfo } from './types';

type Layer = tfType.layers.Layer;
type TfNode = Layer['inboundNodes'][number];

/** tfjs stores a single shape as Shape and several as Shape[]; also drops the batch dimension. */
function shapesWithoutBatch(shapes: unknown): Shape[] {
  if (!Array.isArray(shapes) || shapes.length === 0) return [];
  const list = Array.isArray(shapes[0]) ? (shapes as Shape[]) : [shapes as Shape];
  return list.map((s) => s.slice(1));
}

function isLayersModel(layer: Layer): layer is tfType.LayersModel {
  const candidate = layer as unknown as { layers?: unknown; inputLayers?: unknown };
  return Array.isArray(candidate.layers) && Array.isArray(candidate.inputLayers);
}

function weightInfos(layer: Layer): WeightInfo[] {
  const trainable = new Set(layer.trainableWeights);
  return layer.weights.map((w) => {
    const shape = w.shape.map((d) => d ?? 0); // weights always have a known shape
    return {
      name: w.name,
      shape,
      trainable: trainable.has(w),
      size: shape.reduce((x, y) => x * y, 1),
    };
  });
}

/** The nodes (applications) of `layer` that belong to `model`, in creation order. */
function applicationsInModel(model: tfType.LayersModel, layer: Layer): [number, TfNode][] {
  const keys = (model as unknown as { containerNodes?: Set<string> }).containerNodes;
  const all = layer.inboundNodes.map((n, i) => [i, n] as [number, TfNode]);
  if (!(keys instanceof Set) || keys.size === 0) return all;
  const mine = all.filter(([i]) => keys.has(`${layer.name}_ib-${i}`));
  return mine.length > 0 ? mine : all;
}

function layerConfig(layer: Layer): Record<string, unknown> {
  try {
    return layer.getConfig() as Record<string, unknown>;
  } catch {
    return {}; // custom layers may not implement getConfig
  }
}

function describeLayer(model: tfType.LayersModel, layer: Layer): LayerNode {
  const className = layer.getClassName();
  const nested = isLayersModel(layer) && layer !== model;
  const kind = nested ? 'model' : layerCapabilities(className).structure;
  const apps = applicationsInModel(model, layer);
  const first = apps[0]?.[1];
  const inputShapes = first ? shapesWithoutBatch(first.inputShapes) : [];
  let outputShapes = first ? shapesWithoutBatch(first.outputShapes) : [];
  if (!first && kind === 'input') {
    // An InputLayer's own node has its output shape only through batchInputShape.
    const batchShape = (layer as unknown as { batchInputShape?: Shape }).batchInputShape;
    if (batchShape) outputShapes = [batchShape.slice(1)];
  }
  const geometry = geometryFromConfig(className, kind, layerConfig(layer), inputShapes[0]?.length);
  const warnings: string[] = geometry.ignoredConfig ? [geometry.ignoredConfig] : [];
  if (apps.length > 1) {
    warnings.push(
      `layer is applied ${apps.length} times (shared weights); its shapes and receptive field are those of its first application, its compute is counted for every application`,
    );
  }
  const node: LayerNode = {
    name: layer.name,
    className,
    kind,
    geometry,
    inbound: first ? first.inboundLayers.map((l) => l.name) : [],
    inboundApplication: first ? [...first.nodeIndices] : [],
    inboundOutputIndex: first ? [...first.tensorIndices] : [],
    inputShapes: kind === 'input' ? [] : inputShapes,
    outputShapes,
    outputShape: outputShapes.length === 1 ? outputShapes[0] : null,
    weights: weightInfos(layer),
    applications: Math.max(apps.length, 1),
    extraApplications: apps.slice(1).map(([, n]): LayerApplication => ({
      inbound: n.inboundLayers.map((l) => l.name),
      inputShapes: shapesWithoutBatch(n.inputShapes),
      outputShapes: shapesWithoutBatch(n.outputShapes),
    })),
    warnings,
  };
  const reason = kind === 'model' ? undefined : layerCapabilities(className).fieldLimit;
  if (reason !== undefined) node.unsupportedReason = reason;
  if (outputShapes.length > 1) {
    warnings.push(`layer has ${outputShapes.length} outputs`);
  }
  if (nested) node.nested = extractLayerGraph(layer);
  return node;
}

/**
 * tfjs 4.22 builds causal Conv1D layers with the 'valid' output length (and cannot run them:
 * conv1dWithBias throws NotImplementedError). Keras keeps ceil(in / stride) positions, so the
 * shapes are corrected here and the correction is carried through the layers downstream whose
 * geometry is known.
 */
function correctCausalShapes(layers: LayerNode[]): void {
  const corrected = new Map<string, Shape>();
  for (const node of layers) {
    const fromCorrected = node.inbound.some((name) => corrected.has(name));
    if (node.geometry.padding !== 'causal' && !fromCorrected) continue;
    if (fromCorrected) {
      node.inputShapes = node.inbound.map(
        (name, i) =>
          corrected.get(name) ??
          layers.find((l) => l.name === name)?.outputShapes[node.inboundOutputIndex[i]] ??
          node.inputShapes[i],
      );
    }
    const input = node.inputShapes[0];
    const output = node.outputShape;
    if (!input || !output) continue;
    let fixed: Shape | null = null;
    const fmt = node.geometry.dataFormat;
    const spatial = windowedOutputSpatial(node, input);
    if (spatial !== null) {
      const channels = channelDim(output, fmt);
      fixed = fmt === 'channelsFirst' ? [channels, ...spatial] : [...spatial, channels];
    } else if (node.kind === 'elementwise' || node.kind === 'merge' || node.kind === 'dense') {
      fixed = [...input.slice(0, -1), output[output.length - 1]];
    } else if (node.kind === 'globalPooling') {
      fixed = output;
    } else if (node.kind === 'flatten') {
      const size = input.reduce<number | null>(
        (a, d) => (a === null || d === null ? null : a * d),
        1,
      );
      fixed = [size];
    }
    const inLast = input[input.length - 1];
    if (node.kind === 'dense' && node.weights[0] && node.weights[0].shape[0] !== inLast) {
      node.warnings.push(
        `its kernel was built for ${node.weights[0].shape[0]} inputs from the shapes tfjs reports, but the causal convolution upstream gives ${inLast}`,
      );
    }
    if (fixed === null) {
      node.warnings.push(
        'its input follows a causal convolution whose length tfjs gets wrong; the shapes shown are the ones tfjs reports',
      );
      continue;
    }
    if (fixed.some((d, i) => d !== output[i]) || fixed.length !== output.length) {
      node.warnings.push(
        `tfjs reports output shape [${output.join(', ')}]; with Keras causal padding it is [${fixed.join(', ')}]` +
          (node.geometry.padding === 'causal'
            ? ' (tfjs 4.22 cannot run causal Conv1D: it throws NotImplementedError)'
            : ''),
      );
      node.outputShapes = [fixed];
      node.outputShape = fixed;
      corrected.set(node.name, fixed);
    }
  }
}

/**
 * A plain, serialisable description of `model`: one node per layer in model.layers order (which
 * tfjs keeps topological), with the InputLayers first when the model does not list them
 * (Sequential). Shared layers are described by their first application inside the model.
 */
export function extractLayerGraph(model: tfType.LayersModel): LayerGraph {
  const listed = model.layers;
  // An unbuilt Sequential has no inputLayers yet: its InputLayer is found through the first layer.
  const inputLayers =
    model.inputLayers.length > 0
      ? model.inputLayers
      : listed.flatMap((l) =>
          (l.inboundNodes[0]?.inboundLayers ?? []).filter(
            (i) => i.getClassName() === 'InputLayer' && !listed.includes(i),
          ),
        );
  const hiddenInputs = inputLayers.filter((l) => !listed.includes(l));
  const layers = [...hiddenInputs, ...listed].map((layer) => describeLayer(model, layer));
  correctCausalShapes(layers);
  const outputLayers = model.outputLayers.length > 0 ? model.outputLayers : listed.slice(-1);
  return {
    modelName: model.name,
    inputNames: inputLayers.map((l) => l.name),
    outputNames: outputLayers.map((l) => l.name),
    layers,
  };
}
