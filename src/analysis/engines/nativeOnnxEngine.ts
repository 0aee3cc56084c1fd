/**
 * Runs an imported ONNX file as it is on ONNX Runtime (PyTorch's own graph: pads fused in the
 * convolutions, its constant chains, its op order), with the values behind the views' layers
 * added as graph outputs. The import's `values` map (onnx/buildLayersModel.ts) says which ONNX
 * value each layer holds and in which layout; the added nodes turn each into the layer's
 * channels-last order, so the views read them exactly as TensorFlow.js's activations. A padding
 * layer the import made (`<node>.pad`: ONNX pads inside its Conv/Pool) gets a Pad node, a
 * transposed convolution before its crop the same ConvTranspose without pads.
 */
import { open } from 'node:fs/promises';
import type * as tfType from '@tensorflow/tfjs';
import type * as OrtType from 'onnxruntime-node';
import { onnx } from 'onnx-proto';
import type { LayerActivation } from '../activations';
import { inspectableLayers, firstOutputShape } from '../modelSummary';
import type { ValueLocation } from '../onnx/buildLayersModel';
import { UntranslatableLayer } from './layerTranslation';
import {
  readOutputs,
  selectOutputs,
  sessionOptions,
  type ActivationInput,
  type ExposedLayer,
} from './nativeLayersEngine';
import type { Ort } from './onnxRuntime';
import { nativeCall } from './nativeCalls';

/** What the import knows about a model it built from an ONNX file. */
export interface OnnxSource {
  file: string;
  /** ONNX value -> the layer holding it (the import's map). */
  values: Map<string, ValueLocation>;
  /** The image input's name. */
  inputName: string;
  /**
   * The file's ConvTranspose nodes, by the name of the layer made of each: that layer's output is
   * the uncropped one (the node's pads are a cropping layer after it), which no value holds.
   */
  convTransposes?: Map<string, TransposedConvNode>;
}

/** What the engine needs to compute a ConvTranspose again without its pads. */
export interface TransposedConvNode {
  /** The node's inputs as the file names them: x, W and the optional bias. */
  inputs: string[];
  strides: number[];
  dilations: number[];
  group: number;
}

const sources = new WeakMap<tfType.LayersModel, OnnxSource>();

/** Called by the ONNX import for each model it builds. */
export function rememberOnnxSource(model: tfType.LayersModel, source: OnnxSource): void {
  sources.set(model, source);
}

export function onnxSourceOf(model: tfType.LayersModel): OnnxSource | undefined {
  return sources.get(model);
}

type Exposed = ExposedLayer;

/** Adds nodes and outputs to a decoded ONNX graph; names are unique with a `#cnn` suffix. */
class GraphAdditions {
  private count = 0;
  constructor(private readonly graph: onnx.IGraphProto) {}

  node(opType: string, inputs: string[], attributes: onnx.IAttributeProto[] = []): string {
    const output = `${inputs[0]}#cnn${this.count++}`;
    this.graph.node!.push({
      opType,
      input: inputs,
      output: [output],
      name: output,
      attribute: attributes,
    });
    return output;
  }

  ints(values: number[]): string {
    const name = `ints#cnn${this.count++}`;
    const data = BigInt64Array.from(values.map((v) => BigInt(v)));
    this.graph.initializer!.push({
      name,
      dims: [values.length],
      dataType: onnx.TensorProto.DataType.INT64,
      rawData: new Uint8Array(data.buffer),
    });
    return name;
  }

  scalar(value: number): string {
    return this.floats([], [value]);
  }

  floats(dims: number[], values: number[]): string {
    const name = `float#cnn${this.count++}`;
    const data = Float32Array.from(values);
    this.graph.initializer!.push({
      name,
      dims,
      dataType: onnx.TensorProto.DataType.FLOAT,
      rawData: new Uint8Array(data.buffer),
    });
    return name;
  }

  output(name: string): void {
    this.graph.output!.push({
      name,
      type: { tensorType: { elemType: onnx.TensorProto.DataType.FLOAT } },
    });
  }
}

const ints = (name: string, values: number[]): onnx.IAttributeProto => ({
  name,
  type: onnx.AttributeProto.AttributeType.INTS,
  ints: values,
});
const int = (name: string, value: number): onnx.IAttributeProto => ({
  name,
  type: onnx.AttributeProto.AttributeType.INT,
  i: value,
});

/** The ONNX value of `location` in the layer's channels-last order. */
function inKerasOrder(add: GraphAdditions, value: string, location: ValueLocation): string {
  if (location.layout === 'nhwc')
    return add.node('Transpose', [value], [ints('perm', [0, 2, 3, 1])]);
  // Stored in ONNX's own order (an [N, H, W, C] value is the layer's NHWC output as it is).
  if (location.layout === 'flat' || location.layout === 'channelsLast')
    return add.node('Identity', [value]);
  const [c, h, w] = location.flattenedFrom!;
  const image = add.node('Reshape', [value, add.ints([1, c, h, w])]);
  const nhwc = add.node('Transpose', [image], [ints('perm', [0, 2, 3, 1])]);
  return add.node('Flatten', [nhwc], [int('axis', 1)]);
}

function padNode(
  add: GraphAdditions,
  layer: tfType.layers.Layer,
  input: string,
): string | undefined {
  const config = layer.getConfig() as {
    padding?: [[number, number], [number, number]];
    mode?: string;
    value?: number;
  };
  const isPadding = ['ZeroPadding2D', 'OnnxPad2D'].includes(layer.getClassName());
  if (!isPadding || !Array.isArray(config.padding)) return undefined;
  const [[t, b], [l, r]] = config.padding;
  const mode = config.mode ?? 'constant';
  const inputs = [input, add.ints([0, 0, t, l, 0, 0, b, r])];
  if (mode === 'constant') inputs.push(add.scalar(config.value ?? 0));
  const modeAttribute = {
    name: 'mode',
    type: onnx.AttributeProto.AttributeType.STRING,
    s: new TextEncoder().encode(mode),
  };
  return add.node('Pad', inputs, [modeAttribute]);
}

/**
 * A helper layer of the import, which no ONNX value holds: a padding layer (`<node>.pad`: the
 * pads are inside the node) gets a Pad node on the NCHW value it reads; a reshape of a flat value
 * to [1, 1, C] (`<node>.as4d`) reads the same numbers in the same order. Others: undefined.
 */
function helperLayerOutput(
  add: GraphAdditions,
  layer: tfType.layers.Layer,
  byLayer: Map<string, [string, ValueLocation]>,
): string | undefined {
  const inbound = (layer.input as tfType.SymbolicTensor).sourceLayer?.name;
  const from = inbound ? byLayer.get(inbound) : undefined;
  if (!from) return undefined;
  if (from[1].layout === 'flat' && layer.getClassName() === 'Reshape') {
    return add.node('Identity', [from[0]]);
  }
  const padded = from[1].layout === 'nhwc' ? padNode(add, layer, from[0]) : undefined;
  return padded && add.node('Transpose', [padded], [ints('perm', [0, 2, 3, 1])]);
}

/**
 * An average pooling the import follows with a rescale (`<node>.divisor`: PyTorch divides by the
 * window's overlap with the input, TensorFlow.js's layer by the window's area): the ONNX value is
 * the rescaled average, so the layer's own output is that value divided by the rescale's factors.
 */
function averageBeforeRescale(
  add: GraphAdditions,
  layer: tfType.layers.Layer,
  byLayer: Map<string, [string, ValueLocation]>,
): string | undefined {
  if (layer.getClassName() !== 'AveragePooling2D' || layer.outboundNodes.length !== 1) {
    return undefined;
  }
  const next = layer.outboundNodes[0].outboundLayer;
  const held = next && byLayer.get(next.name);
  const config = next?.getConfig() as
    { op?: string; constant?: { shape: number[]; values: number[] } } | undefined;
  if (!held || held[1].layout !== 'nhwc' || next!.name !== `${layer.name}.divisor`)
    return undefined;
  if (config?.op !== 'mul' || !config.constant) return undefined;
  const [, h, w] = config.constant.shape; // [1, h, w, 1]: one factor per output position
  const factors = add.floats([1, 1, h, w], config.constant.values);
  const average = add.node('Div', [held[0], factors]);
  return add.node('Transpose', [average], [ints('perm', [0, 2, 3, 1])]);
}

/**
 * A transposed convolution the import follows with a crop (`<node>.crop`: ONNX's pads): its own
 * output is the node's without pads, as long as the layer's output (tfjs's Conv2DTranspose adds
 * max(s - k, 0) rows; the import's OnnxConvTranspose2D the output_padding), so the same node is
 * added with pads 0 and output_padding making up the difference, reading the same weights.
 */
function uncroppedTransposedConv(
  add: GraphAdditions,
  layer: tfType.layers.Layer,
  source: OnnxSource,
): string | undefined {
  const node = source.convTransposes?.get(layer.name);
  if (!node) return undefined;
  const input = (layer.input as tfType.SymbolicTensor).shape;
  const output = firstOutputShape(layer) as number[]; // [h, w, c], without the batch
  const { kernelSize } = layer.getConfig() as { kernelSize?: number[] };
  if (!kernelSize) return undefined;
  const outputPadding = [0, 1].map(
    (a) =>
      output[a] -
      ((input[a + 1]! - 1) * node.strides[a] + (kernelSize[a] - 1) * node.dilations[a] + 1),
  );
  if (outputPadding.some((p, a) => p < 0 || p >= Math.max(node.strides[a], node.dilations[a]))) {
    return undefined;
  }
  const full = add.node('ConvTranspose', node.inputs, [
    ints('strides', node.strides),
    ints('dilations', node.dilations),
    int('group', node.group),
    ints('pads', [0, 0, 0, 0]),
    ints('output_padding', outputPadding),
  ]);
  return add.node('Transpose', [full], [ints('perm', [0, 2, 3, 1])]);
}

/** Adds an output for every inspectable layer; throws UntranslatableLayer for one it cannot. */
function exposeLayers(
  graph: onnx.IGraphProto,
  model: tfType.LayersModel,
  source: OnnxSource,
): Exposed[] {
  const add = new GraphAdditions(graph);
  const byLayer = new Map<string, [string, ValueLocation]>();
  for (const [value, location] of source.values) {
    if (!byLayer.has(location.layer)) byLayer.set(location.layer, [value, location]);
  }
  const exposed: Exposed[] = [];
  for (const layer of inspectableLayers(model)) {
    const shape = firstOutputShape(layer) as number[];
    const held = byLayer.get(layer.name);
    let output: string | undefined;
    if (held) {
      output = inKerasOrder(add, held[0], held[1]);
    } else {
      output =
        helperLayerOutput(add, layer, byLayer) ??
        averageBeforeRescale(add, layer, byLayer) ??
        uncroppedTransposedConv(add, layer, source);
      if (!output) {
        throw new UntranslatableLayer(
          layer.name,
          layer.getClassName(),
          'is not a value of the ONNX graph.',
        );
      }
    }
    add.output(output);
    exposed.push({ layer: layer.name, output, shape });
  }
  return exposed;
}

/**
 * The file's bytes as they are, followed by a second `graph` field holding only the added nodes,
 * initializers and outputs: protobuf merges a message field that occurs twice (repeated fields
 * are concatenated), so ONNX Runtime reads one graph with the additions, and the file (its
 * weights) is neither decoded nor re-encoded here, only read once into the buffer it is given in.
 */
async function withAppendedGraph(file: string, additions: onnx.IGraphProto): Promise<Uint8Array> {
  const tail = onnx.ModelProto.encode({ graph: additions }).finish();
  const handle = await open(file, 'r');
  try {
    const { size } = await handle.stat();
    const bytes = new Uint8Array(size + tail.byteLength);
    let offset = 0;
    while (offset < size) {
      const { bytesRead } = await handle.read(bytes, offset, size - offset, offset);
      if (bytesRead === 0) throw new Error(`${file} changed while it was read`);
      offset += bytesRead;
    }
    bytes.set(tail, size);
    return bytes;
  } finally {
    await handle.close();
  }
}

export class NativeOnnxEngine {
  private constructor(
    private readonly ort: Ort,
    private readonly session: OrtType.InferenceSession,
    private readonly inputName: string,
    private readonly outputs: Exposed[],
  ) {}

  static async create(
    ort: Ort,
    model: tfType.LayersModel,
    source: OnnxSource,
    threads: number,
  ): Promise<NativeOnnxEngine> {
    const additions: onnx.IGraphProto = { node: [], initializer: [], output: [] };
    const outputs = exposeLayers(additions, model, source);
    const bytes = await withAppendedGraph(source.file, additions);
    const session = await nativeCall(() =>
      ort.InferenceSession.create(bytes, sessionOptions(threads)),
    );
    return new NativeOnnxEngine(ort, session, source.inputName, outputs);
  }

  /** `input` is channels-last [1, h, w, c] as TF.js takes it; the file's graph takes NCHW. */
  async run(input: ActivationInput, layers?: string[]): Promise<Map<string, LayerActivation>> {
    const [, h, w, c] = input.shape;
    const nchw = new Float32Array(input.data.length);
    for (let y = 0; y < h; y++)
      for (let x = 0; x < w; x++)
        for (let k = 0; k < c; k++) nchw[(k * h + y) * w + x] = input.data[(y * w + x) * c + k];
    const feed = { [this.inputName]: new this.ort.Tensor('float32', nchw, [1, c, h, w]) };
    const wanted = selectOutputs(this.outputs, layers);
    const results = await nativeCall(() =>
      this.session.run(
        feed,
        wanted.map((o) => o.output),
      ),
    );
    return readOutputs(results, wanted);
  }

  async dispose(): Promise<void> {
    await this.session.release();
  }
}
