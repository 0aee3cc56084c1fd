/**
 * One model file, loaded and ready to inspect: the unit of work behind a panel and the CLI report.
 * Owns the model's tensors and the last forward pass; `dispose()` frees them all.
 */
import type { ChannelOrder } from './explain/channelOrder';
import type * as tfType from '@tensorflow/tfjs';
import { InspectorError } from './errors';
import type { BackendName, TfRuntime } from './runtime';
import { chooseEngine, type EngineChoice, type EngineOptions } from './engines/chooseEngine';
import { defaultOrtThreads, onnxRuntimeVersion } from './engines/onnxRuntime';
import type { ModelModule } from './model/loadModelModule';
import { ModelInputs } from './model/modelInputs';
import { openModel } from './model/openModel';
import type { ModelSummary } from './modelSummary';
import { engineSourceOf, summarizeOpened, type EngineSource } from './sessionSetup';
import { buildActivationModel, computeActivations, type LayerActivation } from './activations';
import { decodeImageFile, type DecodeOptions } from './image/decodeImage';
import { toModelInput, type ModelImage } from './image/toModelInput';
import { topClasses, type ClassScore } from './topClasses';
import type { ModelStructure } from './structure/modelStructure';
import { analyseStructure } from './structure/analyseStructure';
import { loadSignal, signalStrip } from './explain/signal';
import { nonFiniteWarnings } from './nonFiniteValues';

/**
 * A step of a long operation, for a progress line. `built` comes once, when opening a model has
 * built it: its layers are known before the slower steps (structure, ONNX Runtime) end.
 */
export type ProgressReporter = (message: string, built?: ModelSummary) => void;

export interface ImageResult {
  /** What was run: an image file, a 1-D signal file (.csv, .json) or a `synthetic:` signal. */
  inputSource: string;
  /** The input as the model sees it (before `preprocess`); a 1-D signal is a 1-pixel-high strip. */
  input: { width: number; height: number; channels: number; rgba: Uint8ClampedArray };
  top5: ClassScore[];
  /** 1-D models: the signal's values, [length, channels] row-major (`inputSource` names its source). */
  signal?: Float32Array;
  /** What makes this pass's numbers doubtful (NaN or infinite values), when anything does. */
  warnings?: string[];
}

export class InspectionSession {
  private constructor(
    private readonly runtime: TfRuntime,
    private readonly module: ModelModule,
    private readonly probe: { probe: tfType.LayersModel; layerNames: string[] },
    readonly summary: ModelSummary,
    readonly bundleHash: string,
    readonly inputs: string[],
    /** Layer geometry, counts and receptive fields; null (with the reason) if the analysis failed. */
    readonly structure: ModelStructure | null,
    readonly structureError: string | undefined,
    private engine: EngineChoice,
    /** What the native engine is rebuilt from when its options change (changeEngine). */
    private readonly engineSource: EngineSource,
  ) {
    this.modelInputs = new ModelInputs(runtime.tf, module, summary);
  }

  private readonly modelInputs: ModelInputs;
  private activations = new Map<string, LayerActivation>();
  private image: ImageResult | undefined;
  private inputValues: { data: Float32Array; shape: number[] } | undefined;

  static async open(
    runtime: TfRuntime,
    modelFile: string,
    exportName: string | undefined,
    progress: ProgressReporter = () => {},
    engineOptions: EngineOptions = {},
  ): Promise<InspectionSession> {
    const { tf } = runtime;
    const opened = await openModel(runtime, modelFile, exportName, progress);
    const { module, model } = opened;
    const summary = summarizeOpened(opened, modelFile);
    progress(`Built ${summary.layers.length} layers; analysing the structure`, summary);
    const { structure, structureError } = analyseStructure(model, summary);
    const probe = buildActivationModel(tf, model);
    if (engineOptions.engine && engineOptions.engine !== 'tfjs') progress('Preparing ONNX Runtime');
    const engineSource = engineSourceOf(tf, opened, summary, modelFile, engineOptions);
    let engine: EngineChoice;
    try {
      engine = await chooseEngine(
        model,
        engineSource.inputShape,
        engineOptions,
        engineSource.identity,
      );
    } catch (error) {
      probe.probe.dispose(); // refused (too large for the memory limit): free the weights now
      throw error;
    }
    return new InspectionSession(
      runtime,
      module,
      probe,
      summary,
      opened.hash,
      opened.inputs,
      structure,
      structureError,
      engine,
      engineSource,
    );
  }

  /**
   * Computes the activations with other engine options from now on (the setting changed): the
   * native engine is chosen again for the same TensorFlow.js model, which is kept. The last pass is
   * forgotten, so the next request runs the image again on the new engine. False when nothing changed.
   */
  async changeEngine(options: EngineOptions): Promise<boolean> {
    const current = this.engineSource.options;
    const threads = (o: EngineOptions) => o.threads ?? defaultOrtThreads();
    if (current.engine === options.engine && threads(current) === threads(options)) return false;
    await this.engine.release?.();
    const { model, inputShape, identity } = this.engineSource;
    this.engineSource.options = options;
    this.engine = await chooseEngine(model, inputShape, options, identity);
    this.activations.clear();
    this.image = undefined;
    return true;
  }

  /** Files the weights were loaded from through TensorFlow.js (model.json, weights): watched too. */
  get dataFiles(): string[] {
    return this.engineSource.identity.dataFiles ?? [];
  }

  /** What computes the activations: ONNX Runtime, or the TensorFlow.js backend. */
  get backend(): BackendName {
    return this.engine.native ? 'onnxruntime' : this.runtime.backend;
  }

  /**
   * What computes the activations, with its version (`onnxruntime 1.30.0`, `tfjs 4.22.0 wasm`):
   * two engines, or two versions of one, round differently, so cached results name it.
   */
  get engineVersion(): string {
    return this.engine.native
      ? `onnxruntime ${onnxRuntimeVersion()}`
      : `tfjs ${this.tf.version_core} ${this.runtime.backend}`;
  }

  /** How the engine was chosen (and why ONNX Runtime was not, when it was wanted). */
  get engineNotes(): string[] {
    return this.engine.notes;
  }

  /** Why ONNX Runtime was wanted but cannot run this model; undefined otherwise. */
  get engineFallbackReason(): string | undefined {
    return this.engine.fallbackReason;
  }

  /** The colour order of the model input's channels, as the model file declares it. */
  get channelOrder(): ChannelOrder {
    return this.module.channelOrder ?? 'rgb';
  }

  get tf(): typeof tfType {
    return this.runtime.tf;
  }

  /** Height, width and channels of the image input, or a clear error for non-image models. */
  imageInputSize(): { height: number; width: number; channels: number } {
    return this.modelInputs.imageSize();
  }

  async runInput(
    inputSource: string,
    decodeOptions: DecodeOptions = {},
    progress: ProgressReporter = () => {},
  ): Promise<ImageResult> {
    if (this.summary.inputShape.length === 2) return this.runSignal(inputSource, progress);
    const size = this.imageInputSize();
    progress(`Reading ${inputSource}`);
    const decoded = await decodeImageFile(inputSource, decodeOptions);
    const modelImage = toModelInput(decoded, size.height, size.width, size.channels);
    progress('Running the forward pass');
    const input = await this.modelInputs.preprocess(modelImage);
    await this.forward(input);
    const last = this.activations.get(this.probe.layerNames[this.probe.layerNames.length - 1]);
    this.image = {
      inputSource,
      input: {
        width: size.width,
        height: size.height,
        channels: size.channels,
        rgba: modelImage.display,
      },
      top5: last && last.shape.length === 1 ? topClasses(last.data, this.module.labels) : [],
      ...this.forwardPassWarnings(),
    };
    return this.image;
  }

  /** NaN or infinite values in the last forward pass, said where they start (none: no field). */
  private forwardPassWarnings(): { warnings?: string[] } {
    const warnings = nonFiniteWarnings({
      input: this.inputValues?.data ?? [],
      layers: this.probe.layerNames.flatMap((name) => {
        const activation = this.activations.get(name);
        return activation ? [{ name, data: activation.data }] : [];
      }),
      weightsOf: (name) =>
        this.probe.probe.getLayer(name).weights.map((w) => w.read().dataSync() as Float32Array),
    });
    return warnings.length ? { warnings } : {};
  }

  get currentImage(): ImageResult | undefined {
    return this.image;
  }

  /** What entered the model in the last forward pass (after `preprocess`), without batch. */
  get modelInput(): { data: Float32Array; shape: number[] } | undefined {
    return this.inputValues;
  }

  /** Runs `input` ([1, ...]) through the model, keeps every layer's output and the input; disposes it. */
  private async forward(input: tfType.Tensor): Promise<void> {
    try {
      const data = await input.data();
      this.inputValues = { data: Float32Array.from(data), shape: input.shape.slice(1) };
      if (this.engine.native) {
        this.activations = await this.engine.native.run({
          data: this.inputValues.data,
          shape: input.shape,
        });
        return;
      }
      this.activations = await computeActivations(
        this.tf,
        this.probe.probe,
        this.probe.layerNames,
        input,
      );
    } finally {
      input.dispose();
    }
  }

  /** 1-D models: `source` is a .csv/.json signal file or `synthetic:step|impulse|sine`. */
  private async runSignal(source: string, progress: ProgressReporter): Promise<ImageResult> {
    const [length, channels] = this.summary.inputShape;
    if (!channels) {
      throw new InspectorError(
        'not-an-image-model',
        `${this.summary.file}: the channel count of the 1-D input is not fixed.`,
      );
    }
    if (/\.(png|jpe?g)$/i.test(source)) {
      throw new InspectorError(
        'not-an-image-model',
        `${this.summary.file}: model '${this.summary.exportName}' takes input of shape [${this.summary.inputShape.join(', ')}], not an image: give it a signal (a .csv or .json file, or synthetic:step|impulse|sine).`,
      );
    }
    progress(`Reading ${source}`);
    const signal = await loadSignal(source, length, channels);
    progress('Running the forward pass');
    await this.forward(this.tf.tensor3d(signal.data, [1, signal.length, channels]));
    const last = this.activations.get(this.probe.layerNames[this.probe.layerNames.length - 1]);
    this.image = {
      inputSource: source,
      input: {
        width: signal.length,
        height: 1,
        channels,
        rgba: signalStrip(signal.data, channels),
      },
      top5: last && last.shape.length === 1 ? topClasses(last.data, this.module.labels) : [],
      signal: signal.data,
      ...this.forwardPassWarnings(),
    };
    return this.image;
  }

  /**
   * One layer's output for `input` ([1, ...], not disposed) on the native engine, or undefined when
   * activations run on TensorFlow.js (the gallery then runs the TF.js model to that layer).
   */
  async nativeLayer(input: tfType.Tensor, layerName: string): Promise<LayerActivation | undefined> {
    if (!this.engine.native) return undefined;
    const data = (await input.data()) as Float32Array;
    const outputs = await this.engine.native.run({ data, shape: input.shape }, [layerName]);
    return outputs.get(layerName);
  }

  /** Whether nativeLayerBatch can run several images in one call. */
  get runsBatches(): boolean {
    return Boolean(this.engine.native?.runBatch);
  }

  /**
   * One layer's output for several images ([1, ...] each, not disposed) in one native call, or
   * undefined when the engine cannot take a batch (TensorFlow.js, an ONNX file run as it is).
   */
  async nativeLayerBatch(
    inputs: tfType.Tensor[],
    layerName: string,
  ): Promise<LayerActivation[] | undefined> {
    const native = this.engine.native;
    if (!native?.runBatch || inputs.length === 0) return undefined;
    const images = await Promise.all(inputs.map((t) => t.data() as Promise<Float32Array>));
    const size = images[0].length;
    const data = new Float32Array(size * images.length);
    images.forEach((image, i) => data.set(image, i * size));
    const shape = [images.length, ...inputs[0].shape.slice(1)];
    const outputs = await native.runBatch({ data, shape }, [layerName]);
    return outputs.map((o) => o.get(layerName)!);
  }

  /** The built model with every inspectable layer's output (the gallery runs it to one layer). */
  get layersModel(): tfType.LayersModel {
    return this.probe.probe;
  }

  /** An image as the model takes it, without running the model: [1, h, w, c], caller disposes. */
  async prepareImage(
    inputSource: string,
    decodeOptions: DecodeOptions = {},
  ): Promise<{ image: ModelImage; input: tfType.Tensor }> {
    const size = this.imageInputSize();
    const decoded = await decodeImageFile(inputSource, decodeOptions);
    const image = toModelInput(decoded, size.height, size.width, size.channels);
    return { image, input: await this.modelInputs.preprocess(image) };
  }

  /** The range of model input values that pixels 0..255 become (black and white through preprocessing). */
  inputRange(): Promise<[number, number]> {
    return this.modelInputs.range();
  }

  layer(name: string): LayerActivation {
    const activation = this.activations.get(name);
    if (!activation) {
      const known = this.summary.layers.some((l) => l.name === name);
      throw new InspectorError(
        'layer',
        known
          ? `Layer '${name}' has no activations yet: choose an image first.`
          : `${this.summary.file}: model '${this.summary.exportName}' has no layer '${name}'.`,
      );
    }
    return activation;
  }

  dispose(): void {
    this.activations.clear();
    void this.engine.release?.(); // kept warm for a reload of the same model (engineCache.ts)
    // The probe is built from the model's own layers: disposing it releases their weights too,
    // and disposing the model afterwards would throw.
    this.probe.probe.dispose();
  }
}
