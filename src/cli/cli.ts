/**
 * `cnn-inspector report <model.ts|model.onnx> --image <file> [--export NAME] [--out report.html]
 *  [--json report.json]`: the panel's analysis without VS Code. The model runs in the same worker
 * as in the extension, so a hanging model file times out here too.
 */
import { parseArgs } from 'node:util';
import { existsSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { InspectorError, errorMessage } from '../analysis/errors';
import { WorkerClient } from '../host/workerClient';
import type { LoadedModel, WorkerConfig } from '../protocol/worker/workerProtocol';
import type { ImageResult } from '../analysis/inspectionSession';
import { buildReportJson } from './reportJson';
import { renderReportHtml } from './reportHtml';
import { collectReportData } from './collectReportData';
import { buildUnitReport, parseUnitArgument, type UnitArgument } from './unitReport';
import { buildGalleryReport, parseGalleryArgs, type GalleryArgs } from './galleryReport';
import { isSyntheticSource } from '../analysis/explain/signal';
import {
  CLI_LIMIT_HINTS,
  DEFAULT_CLI_MEMORY_LIMIT_MB,
  MEMORY_LIMIT_MB,
  TIMEOUT_SECONDS,
  integerArgument,
} from './numericArguments';
import { checkOutputFile } from './outputFiles';
import { backendWarning } from './backendWarning';
import { engineConfig } from './engineArguments';
import {
  buildClassReport,
  buildFeatureVisualization,
  parseClassArgs,
  parseVisualizeUnit,
  type ClassArgs,
} from './classReport';
import { GALLERY_USAGE, galleryCommand, mergeCommand } from './galleryCommands';

const USAGE = `Usage: cnn-inspector report <model.ts|model.onnx> --image <file> [options]

Options:
  --image <file>        PNG or JPEG image to run through the model (required); 1-D models: a
                        .csv/.json signal or synthetic:step|impulse|sine[?period=P]
  --export <name>       model export to use (default: the default export, else the first)
  --layer <name>        layer the HTML report opens at (default: the first spatial layer)
  --out <report.html>   write a self-contained HTML report
  --json <report.json>  write the machine-readable report (schema in the README)
  --unit <layer:channel[:y:x]>  with --json: the unit's deconvnet, guided-backprop and saliency
                        projections as PNG files next to the report and its arithmetic in the JSON
                        (position omitted: the channel's strongest unit; 1-D models: layer:channel:t)
  --gallery-layer <name|auto>  add the layer's max-activation gallery: units ranked on the image
                        (auto: pool5, else the last pooling layer, else the last convolution)
  --gallery-folder <dir>  with --gallery-layer: top patches per unit over the folder's images
  --top-k <n>           patches per unit in the folder gallery (default 9)
  --explain-class <index|top|label>  with --json: Grad-CAM, Guided Grad-CAM, occlusion and
                        integrated gradients of the class (score before softmax), PNGs next to it
  --cam-layer <name>    Grad-CAM's layer (default: the last convolution with a spatial output)
  --occlusion <w[:s][@fill]>  occlusion window and stride in pixels (default: a quarter of the input,
                        a third of that) and the value written into the model input (default 0)
  --ig-steps <n>        integrated-gradients steps (default 64)
  --ig-baseline <zeros|blur>  integrated-gradients baseline: zeros (default) or the input blurred
  --visualize-unit <layer:channel>  with --json: the input that channel wants (activation maximization)
  --backend <name>      auto | tensorflow | wasm | cpu (default auto): TensorFlow.js's backend
  --engine <name>       auto | onnxruntime | tfjs: what computes the activations (default auto,
                        or tfjs when --backend names a TensorFlow.js backend)
  --threads <n>         WebAssembly threads: 0 one per core (default), 1 single-threaded (0-8)
  --timeout <seconds>   stop a model step that takes longer (default 300, 1-86400)
  --memory-limit <MB>   memory of the worker that runs the model (default 8192, 256-65536)
  --verbose             print progress and full stack traces
  --help                show this help

${GALLERY_USAGE}`;

const USAGE_LINE =
  'Usage: cnn-inspector report <model.ts|model.onnx> --image <file> [options] (--help lists them)';

/** Exit 1 for a failure, 2 for bad arguments (with a usage line unless the full usage is shown). */
function fail(message: string, code: number): never {
  const usage = code === 2 && !message.includes('\nUsage:') ? `\n${USAGE_LINE}` : '';
  process.stderr.write(`cnn-inspector: ${message}${usage}\n`);
  process.exit(code);
}

/** Runs an argument check; its InspectorError (or RangeError) becomes exit 2. */
function checked<T>(check: () => T): T {
  try {
    return check();
  } catch (error) {
    fail((error as Error).message, 2);
  }
}

/** `gallery` and `merge`: exit 2 for bad arguments, 1 for a failure, with one line. */
async function runGalleryCommand(command: string, argv: string[]): Promise<void> {
  try {
    if (command === 'gallery') await galleryCommand(argv, join(__dirname, 'worker.js'));
    else await mergeCommand(argv);
  } catch (error) {
    const usage = error instanceof InspectorError && error.kind === 'usage';
    const message = errorMessage(error);
    fail(usage ? message : message.split('\n')[0], usage && message.includes('\n\n') ? 2 : 1);
  }
}

const REPORT_OPTIONS = {
  image: { type: 'string' },
  export: { type: 'string' },
  layer: { type: 'string' },
  out: { type: 'string' },
  json: { type: 'string' },
  unit: { type: 'string' },
  'gallery-layer': { type: 'string' },
  'gallery-folder': { type: 'string' },
  'top-k': { type: 'string' },
  'explain-class': { type: 'string' },
  'cam-layer': { type: 'string' },
  occlusion: { type: 'string' },
  'ig-steps': { type: 'string' },
  'ig-baseline': { type: 'string' },
  'visualize-unit': { type: 'string' },
  backend: { type: 'string', default: 'auto' },
  engine: { type: 'string' },
  threads: { type: 'string', default: '0' },
  timeout: { type: 'string', default: '300' },
  'memory-limit': { type: 'string', default: String(DEFAULT_CLI_MEMORY_LIMIT_MB) },
  verbose: { type: 'boolean', default: false },
  help: { type: 'boolean', default: false },
} as const;

type ReportValues = ReturnType<typeof parseArgs<{ options: typeof REPORT_OPTIONS }>>['values'];

/** Everything `report` was asked for, checked (a bad argument exits with its message and 2). */
interface ReportArguments {
  modelFile: string;
  exportName: string | undefined;
  /** An image file, a 1-D signal file or a `synthetic:` signal. */
  inputSource: string;
  layer: string | undefined;
  json: string | undefined;
  out: string | undefined;
  unit: UnitArgument | undefined;
  classArgs: ClassArgs | undefined;
  visualizeUnit: { layer: string; channel: number } | undefined;
  gallery: GalleryArgs | undefined;
  config: WorkerConfig;
  timeoutMs: number;
  memoryLimitMb: number;
  verbose: boolean;
}

/** The command line parsed; `--help` or no arguments print the usage and exit. */
function parseCommandLine(argv: string[]): { values: ReportValues; positionals: string[] } {
  let parsed;
  try {
    parsed = parseArgs({ args: argv, allowPositionals: true, options: REPORT_OPTIONS });
  } catch (error) {
    fail(`${errorMessage(error)}\n\n${USAGE}`, 2);
  }
  if (parsed.values.help || parsed.positionals.length === 0) {
    process.stdout.write(`${USAGE}\n`);
    process.exit(parsed.values.help ? 0 : 2);
  }
  return parsed;
}

/** The optional parts of the report: a unit, class explanations, a feature visualization, a gallery. */
function reportParts(values: ReportValues) {
  let unit: UnitArgument | undefined;
  if (values.unit !== undefined) {
    if (!values.json) fail('--unit needs --json <report.json> (the PNG files go next to it).', 2);
    unit = checked(() => parseUnitArgument(values.unit!));
  }
  const classArgs = checked(() => parseClassArgs(values));
  const visualizeUnit =
    values['visualize-unit'] === undefined
      ? undefined
      : checked(() => parseVisualizeUnit(values['visualize-unit']!));
  if ((classArgs || visualizeUnit) && !values.json)
    fail(
      `--${classArgs ? 'explain-class' : 'visualize-unit'} needs --json <report.json> (the PNG files go next to it).`,
      2,
    );
  const gallery = checked(() => parseGalleryArgs(values));
  return { unit, classArgs, visualizeUnit, gallery };
}

function reportArguments(values: ReportValues, positionals: string[]): ReportArguments {
  const [command, modelArg] = positionals;
  if (command !== 'report') fail(`unknown command '${command}'.\n\n${USAGE}`, 2);
  if (!modelArg) fail('report needs a model file.', 2);
  if (!values.image) fail('report needs --image <file>.', 2);
  const config = checked(() => engineConfig(values));
  const timeoutMs =
    checked(() => integerArgument('timeout', values.timeout, TIMEOUT_SECONDS)) * 1000;
  const memoryLimitMb = checked(() =>
    integerArgument('memory-limit', values['memory-limit'], MEMORY_LIMIT_MB),
  );
  const modelFile = resolve(modelArg);
  if (!existsSync(modelFile)) fail(`${modelFile}: no such file.`, 1);
  // A synthetic signal is a name, not a path (1-D models: README, "1-D models").
  const inputSource = isSyntheticSource(values.image) ? values.image : resolve(values.image);
  if (values.json) checked(() => checkOutputFile('json', values.json!));
  if (values.out) checked(() => checkOutputFile('out', values.out!));
  return {
    modelFile,
    exportName: values.export,
    inputSource,
    layer: values.layer,
    json: values.json,
    out: values.out,
    ...reportParts(values),
    config,
    timeoutMs,
    memoryLimitMb,
    verbose: values.verbose,
  };
}

type RunOptions = { timeoutMs: number; onProgress?: (m: string) => void };

/** Loads the model, runs the input, builds the asked parts and writes the report files. */
async function runReport(args: ReportArguments, client: WorkerClient): Promise<void> {
  const { config } = args;
  const options: RunOptions = {
    timeoutMs: args.timeoutMs,
    onProgress: args.verbose ? (m: string) => process.stderr.write(`\u2026 ${m}\n`) : undefined,
  };
  const model = { file: args.modelFile, exportName: args.exportName };
  const loaded = await client.request({ type: 'loadModel', config, model, reload: false }, options);
  const image = await client.request(
    { type: 'runInput', config, model, inputSource: args.inputSource },
    options,
  );
  const json = modelJson(args, loaded, image);
  const galleryReport = args.gallery
    ? await buildGalleryReport(
        client,
        config,
        model,
        loaded.summary.exportName,
        args.inputSource,
        args.gallery,
        {
          ...options,
          workerScript: join(__dirname, 'worker.js'),
          memoryLimitMb: args.memoryLimitMb,
          verbose: args.verbose,
        },
      )
    : undefined;
  const context = { client, config, model, image, options };
  const withParts = { ...json, ...(await explanationParts(args, context, galleryReport)) };
  const withGallery = galleryReport ? { ...withParts, gallery: galleryReport.json } : withParts;
  if (args.json) writeFileSync(resolve(args.json), `${JSON.stringify(withGallery, null, 2)}\n`);
  if (args.out) {
    const data = await collectReportData(client, config, model, loaded, image, args.layer, options);
    if (galleryReport) data.gallery = galleryReport.html;
    writeFileSync(resolve(args.out), renderReportHtml(data, join(__dirname, '..')));
  }
  if (!args.json && !args.out)
    process.stdout.write(`${JSON.stringify(galleryReport ? withGallery : json, null, 2)}\n`);
  else {
    const written = [args.json, args.out].filter(Boolean).join(' and ');
    process.stderr.write(
      `cnn-inspector: ${loaded.summary.layers.length} layers on ${loaded.backend}; wrote ${written}\n`,
    );
  }
}

/** The report's model and input part, with the warnings (also printed) and the engine fallback. */
function modelJson(args: ReportArguments, loaded: LoadedModel, image: ImageResult) {
  const { config } = args;
  const warnings = [
    backendWarning(config.backend, loaded.backend, loaded.backendNotes, config.searchDirs),
    ...(image.warnings ?? []),
  ].filter((w): w is string => w !== undefined);
  for (const warning of warnings) process.stderr.write(`cnn-inspector: warning: ${warning}\n`);
  return {
    ...buildReportJson(
      loaded.summary,
      loaded.backend,
      {
        file: args.inputSource,
        width: image.input.width,
        height: image.input.height,
        channels: image.input.channels,
      },
      image.top5,
      loaded.structure,
      loaded.structureError,
    ),
    ...(warnings.length ? { warnings } : {}),
    ...(loaded.engineFallback ? { engineFallback: loaded.engineFallback } : {}),
  };
}

/** The unit, class-explanation and feature-visualization parts of the JSON report, as asked. */
async function explanationParts(
  args: ReportArguments,
  context: Omit<Parameters<typeof buildClassReport>[0], 'jsonPath'>,
  galleryReport: Awaited<ReturnType<typeof buildGalleryReport>> | undefined,
) {
  const { client, config, model, options } = context;
  const classContext = { ...context, jsonPath: resolve(args.json ?? 'report.json') };
  const unit =
    args.unit && args.json
      ? await buildUnitReport(
          client,
          config,
          model,
          args.inputSource,
          args.unit,
          resolve(args.json),
          options,
        )
      : undefined;
  const classExplanation = args.classArgs
    ? await buildClassReport(classContext, args.classArgs)
    : undefined;
  const folderGallery =
    args.gallery?.folder && galleryReport?.json.folder
      ? { ...galleryReport.json, folder: args.gallery.folder, units: galleryReport.json.folder }
      : undefined;
  const featureVisualization = args.visualizeUnit
    ? await buildFeatureVisualization(classContext, args.visualizeUnit, folderGallery)
    : undefined;
  return {
    ...(unit ? { unit } : {}),
    ...(classExplanation ? { classExplanation } : {}),
    ...(featureVisualization ? { featureVisualization } : {}),
  };
}

async function main(argv: string[]): Promise<void> {
  if (argv[0] === 'gallery' || argv[0] === 'merge')
    return runGalleryCommand(argv[0], argv.slice(1));
  const { values, positionals } = parseCommandLine(argv);
  const args = reportArguments(values, positionals);
  const client = new WorkerClient({
    workerScript: join(__dirname, 'worker.js'),
    memoryLimitMb: args.memoryLimitMb,
    limitHints: CLI_LIMIT_HINTS,
    log: args.verbose ? (line) => process.stderr.write(`${line}\n`) : undefined,
  });
  try {
    await runReport(args, client);
  } catch (error) {
    const message = errorMessage(error);
    if (args.verbose && error instanceof InspectorError && error.detail)
      process.stderr.write(`${error.detail}\n`);
    client.dispose();
    fail(message.split('\n')[0], 1);
  }
  client.dispose();
}

void main(process.argv.slice(2));
