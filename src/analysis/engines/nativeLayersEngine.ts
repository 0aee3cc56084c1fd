/**
 * Runs a tf.LayersModel on ONNX Runtime: translated once per input shape (layersToOnnx), one warm
 * InferenceSession kept for the model, every layer's output read back channels-last.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type * as tfType from '@tensorflow/tfjs';
import type * as OrtType from 'onnxruntime-node';
import { range, type LayerActivation } from '../activations';
import { layersModelToOnnx, type OnnxTranslation, type WeightReader } from './layersToOnnx';
import type { Ort } from './onnxRuntime';
import type { OnnxGraphBuilder } from './onnxGraphBuilder';
import { nativeCall } from './nativeCalls';

export interface ActivationInput {
  data: Float32Array;
  /** With the batch dimension (1, or a gallery's batch), channels-last, as TF.js takes it. */
  shape: number[];
}

export interface NativeSessionOptions {
  threads: number;
}

/** Session options for inspection: whole-graph optimisation, fixed intra-op threads, no spinning. */
export function sessionOptions(threads: number): OrtType.InferenceSession.SessionOptions {
  return {
    intraOpNumThreads: threads,
    interOpNumThreads: 1,
    executionMode: 'sequential',
    graphOptimizationLevel: 'all',
    logSeverityLevel: 3, // errors only: warnings would go to the extension host's stderr
    // Idle threads that spin would eat the shared cores between passes.
    extra: { session: { intra_op: { allow_spinning: '0' } } },
  };
}

export interface ExposedLayer {
  layer: string;
  /** The graph output holding the layer's value, channels-last. */
  output: string;
  shape: number[];
}

/**
 * The exposed layers named in `layers` (all when absent), or a clear error naming an unknown one.
 * Fetching fewer outputs skips their read-back (and lets ONNX Runtime skip nodes nothing needs).
 */
export function selectOutputs(exposed: ExposedLayer[], layers?: string[]): ExposedLayer[] {
  if (!layers) return exposed;
  return layers.map((name) => {
    const found = exposed.find((e) => e.layer === name);
    if (!found) throw new Error(`The native engine has no output for layer '${name}'.`);
    return found;
  });
}

export async function readOutputs(
  results: OrtType.InferenceSession.OnnxValueMapType,
  outputs: ExposedLayer[],
): Promise<Map<string, LayerActivation>> {
  const activations = new Map<string, LayerActivation>();
  for (const { layer, output, shape } of outputs) {
    const tensor = results[output];
    const data = tensor.data as Float32Array;
    activations.set(layer, { name: layer, shape, data, ...range(data) });
  }
  return activations;
}

/** A batch's outputs (each layer's data holds `count` images) as one map per image. */
export function splitBatch(
  outputs: Map<string, LayerActivation>,
  count: number,
): Map<string, LayerActivation>[] {
  if (count === 1) return [outputs];
  return Array.from({ length: count }, (_, i) => {
    const one = new Map<string, LayerActivation>();
    for (const [layer, { shape, data }] of outputs) {
      const size = data.length / count;
      const part = data.subarray(i * size, (i + 1) * size);
      one.set(layer, { name: layer, shape, data: part, ...range(part) });
    }
    return one;
  });
}

/**
 * A session for a translated graph. The weights go through a temporary file beside the graph
 * (ONNX external data): written once from the translation's buffers, loaded by ONNX Runtime without
 * a serialised copy of them in memory (measured on VGG-16: session creation 5 s instead of 11-22 s
 * from a 553 MB buffer). Where no temporary file can be written, the serialised bytes.
 */
async function createSession(
  ort: Ort,
  graph: OnnxGraphBuilder,
  modelName: string,
  threads: number,
): Promise<{ session: OrtType.InferenceSession; leftover?: string }> {
  const options = sessionOptions(threads);
  let dir: string | undefined;
  let modelFile: string | undefined;
  try {
    dir = mkdtempSync(join(tmpdir(), 'cnn-inspector-onnx-'));
    modelFile = graph.writeWithExternalWeights(modelName, dir);
  } catch {
    modelFile = undefined; // a full or read-only temporary folder: the bytes in memory
  }
  let session: OrtType.InferenceSession;
  try {
    session = await nativeCall(() =>
      modelFile
        ? ort.InferenceSession.create(modelFile, options)
        : ort.InferenceSession.create(graph.serialize(modelName), options),
    );
  } catch (error) {
    if (dir) removeFolder(dir);
    throw error;
  }
  // ONNX Runtime maps the weights file: Linux and macOS remove a mapped file when it is unmapped;
  // Windows refuses, so the folder goes when the session is released.
  return { session, leftover: dir && !removeFolder(dir) ? dir : undefined };
}

/** Removes a folder; false when the system refuses (a file still in use). */
function removeFolder(dir: string): boolean {
  try {
    rmSync(dir, { recursive: true, force: true });
    return true;
  } catch {
    return false;
  }
}

export class NativeLayersEngine {
  /** Without its graph: the session holds the weights, the translation's copy need not stay. */
  private translation: Omit<OnnxTranslation, 'graph' | 'modelName'> | undefined;
  private session: OrtType.InferenceSession | undefined;
  /** The weights file's folder, when the system would not remove it while mapped. */
  private leftover: string | undefined;

  private constructor(
    private readonly ort: Ort,
    private readonly model: tfType.LayersModel,
    private readonly options: NativeSessionOptions,
  ) {}

  /**
   * Translates the model now (throws UntranslatableLayer when it cannot) at `inputShape`
   * (without batch), and opens its session.
   */
  static async create(
    ort: Ort,
    model: tfType.LayersModel,
    inputShape: number[],
    options: NativeSessionOptions,
    readWeight?: WeightReader,
  ): Promise<NativeLayersEngine> {
    // `readWeight` (the values the caller has read already) is used now, never kept.
    const engine = new NativeLayersEngine(ort, model, options);
    await engine.prepare(inputShape, readWeight);
    return engine;
  }

  private async prepare(inputShape: number[], readWeight?: WeightReader): Promise<void> {
    const { graph, modelName, ...translation } = layersModelToOnnx(
      this.model,
      inputShape,
      readWeight,
    );
    const { session, leftover } = await createSession(
      this.ort,
      graph,
      modelName,
      this.options.threads,
    );
    await this.release();
    this.translation = translation;
    this.session = session;
    this.leftover = leftover;
  }

  /** Every inspectable layer's output for `input` (batch 1), or only those of `layers`. */
  async run(input: ActivationInput, layers?: string[]): Promise<Map<string, LayerActivation>> {
    return (await this.runBatch(input, layers))[0];
  }

  /** The same for a batch of images ([n, ...]): one map per image, in order, from one call. */
  async runBatch(
    input: ActivationInput,
    layers?: string[],
  ): Promise<Map<string, LayerActivation>[]> {
    const image = input.shape.slice(1);
    const known = this.translation?.inputShape.slice(1);
    if (!known || known.length !== image.length || known.some((d, i) => d !== image[i])) {
      await this.prepare(image); // a model with free input sizes met a new size
    }
    const { inputName, outputs } = this.translation!;
    const wanted = selectOutputs(outputs, layers);
    const feed = { [inputName]: new this.ort.Tensor('float32', input.data, input.shape) };
    const session = this.session!;
    const results = await nativeCall(() =>
      session.run(
        feed,
        wanted.map((o) => o.output),
      ),
    );
    return splitBatch(await readOutputs(results, wanted), input.shape[0]);
  }

  async dispose(): Promise<void> {
    await this.release();
  }

  private async release(): Promise<void> {
    await this.session?.release();
    this.session = undefined;
    if (this.leftover) removeFolder(this.leftover);
    this.leftover = undefined;
  }
}
