/**
 * An ONNX file -> a tf.LayersModel: read, parse (parseOnnx), fold (foldGraph), build
 * (buildLayersModel). Errors are one line naming the file (and node, op and opset).
 */
import { stat } from 'node:fs/promises';
import { resolve } from 'node:path';
import type { TfNamespace } from '../runtime';
import { InspectorError } from '../errors';
import { readRegularFile } from '../regularFile';
import { parseOnnx } from './parseOnnx';
import { foldGraph, type FoldOptions } from './foldGraph';
import { buildLayersModel, type BuiltModel } from './buildLayersModel';
import type { FoldedGraph } from './graph';
import { rememberOnnxSource, type TransposedConvNode } from '../engines/nativeOnnxEngine';
import { intAttr, intsAttr } from './attributes';

export interface OnnxLoadOptions extends FoldOptions {
  /** Progress of the slow steps, for notifications: a phrase and a fraction 0..1. */
  onProgress?: (step: string, fraction: number) => void;
}

export interface LoadedOnnxModel extends BuiltModel {
  /**
   * The folded graph without its constants: the weights are in the model now, and nothing may
   * keep a view into the file's bytes, so the buffer is released once the model is built.
   */
  graph: FoldedGraph;
}

export async function loadOnnxFile(
  tf: TfNamespace,
  file: string,
  options: OnnxLoadOptions = {},
): Promise<LoadedOnnxModel> {
  const path = resolve(file);
  let bytes: Uint8Array;
  try {
    const { size } = await stat(path);
    options.onProgress?.(`Reading ${(size / 1e6).toFixed(0)} MB`, 0);
    // A named pipe or device named .onnx is refused instead of blocking the worker.
    bytes = await readRegularFile(path, {
      maxBytes: 2 ** 31 - 1,
      limitReason: "protobuf's 2 GB limit for an ONNX file",
    });
  } catch (error) {
    throw new InspectorError(
      'onnx',
      `${path}: cannot read the file (${(error as Error).message}).`,
    );
  }
  return onnxModelFromBytes(tf, bytes, path, options);
}

export function onnxModelFromBytes(
  tf: TfNamespace,
  bytes: Uint8Array,
  file: string,
  options: OnnxLoadOptions = {},
): LoadedOnnxModel {
  options.onProgress?.('Parsing ONNX', 0.1);
  const graph = foldGraph(parseOnnx(bytes, file), options);
  let reported = -1;
  const built = buildLayersModel(tf, graph, {
    // One message per 5% (a ResNet has a hundred nodes, most of them without weights).
    onNode: (done, total) => {
      const step = Math.floor((20 * done) / total);
      if (step === reported) return;
      reported = step;
      options.onProgress?.('Building layers and weights', 0.3 + (0.7 * done) / total);
    },
  });
  // The native engine runs this file's own graph and reads the layers' values through `values`.
  rememberOnnxSource(built.model, {
    file,
    values: built.values,
    inputName: graph.input.name,
    convTransposes: transposedConvNodes(graph),
  });
  return { ...built, graph: { ...graph, constants: new Map() } };
}

/** The ConvTranspose nodes, by the layer each becomes (named after the node). */
function transposedConvNodes(graph: FoldedGraph): Map<string, TransposedConvNode> {
  const nodes = graph.nodes.filter((n) => n.opType === 'ConvTranspose' && n.domain === '');
  return new Map(
    nodes.map((n) => [
      n.name,
      {
        inputs: n.inputs,
        strides: intsAttr(n, 'strides') ?? [1, 1],
        dilations: intsAttr(n, 'dilations') ?? [1, 1],
        group: intAttr(n, 'group', 1),
      },
    ]),
  );
}
