/**
 * Runs a tf.LayersModel on ONNX Runtime: translated once per input shape (layersToOnnx), one warm
 * InferenceSession kept for the model, every layer's output read back channels-last.
 */
import type * as tfType from '@tensorflow/tfjs';
import type * as OrtType from 'onnxruntime-node';
import { range, type LayerActivation } from '../activations';
import { layersModelToOnnx, type OnnxTranslation } from './layersToOnnx';
import type { Ort } from './onnxRuntime';

export interface ActivationInput {
  data: Float32Array;
  /** With the batch dimension (1), channels-last, as TF.js takes it. */
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

export class NativeLayersEngine {
  /** Without its bytes: the session holds the weights, the serialised model need not stay. */
  private translation: Omit<OnnxTranslation, 'bytes'> | undefined;
  private session: OrtType.InferenceSession | undefined;

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
  ): Promise<NativeLayersEngine> {
    const engine = new NativeLayersEngine(ort, model, options);
    await engine.prepare(inputShape);
    return engine;
  }

  private async prepare(inputShape: number[]): Promise<void> {
    const { bytes, ...translation } = layersModelToOnnx(this.model, inputShape);
    const session = await this.ort.InferenceSession.create(
      bytes,
      sessionOptions(this.options.threads),
    );
    await this.session?.release();
    this.translation = translation;
    this.session = session;
  }

  /** Every inspectable layer's output for `input` (batch 1), or only those of `layers`. */
  async run(input: ActivationInput, layers?: string[]): Promise<Map<string, LayerActivation>> {
    const same = this.translation?.inputShape.every((d, i) => d === input.shape[i]);
    if (!same || this.translation!.inputShape.length !== input.shape.length) {
      await this.prepare(input.shape.slice(1)); // a model with free input sizes met a new size
    }
    const { inputName, outputs } = this.translation!;
    const wanted = selectOutputs(outputs, layers);
    const feed = { [inputName]: new this.ort.Tensor('float32', input.data, input.shape) };
    const results = await this.session!.run(
      feed,
      wanted.map((o) => o.output),
    );
    return readOutputs(results, wanted);
  }

  async dispose(): Promise<void> {
    await this.session?.release();
    this.session = undefined;
  }
}
