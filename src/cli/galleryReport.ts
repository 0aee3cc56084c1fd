/**
 * `--gallery-layer <name|auto> [--gallery-folder <dir>] [--top-k N]`: the units of a layer ranked
 * on the report's image, and the folder's max-activation gallery (run by a worker pool on every
 * core). Adds `gallery` to the JSON and the Gallery tab's data to the HTML report.
 */
import { basename, resolve } from 'node:path';
import { existsSync, statSync } from 'node:fs';
import { InspectorError } from '../analysis/errors';
import { DEFAULT_GALLERY_OPTIONS, type Rect, type SkippedFile } from '../analysis/gallery/types';
import type { RequestOptions, WorkerClient } from '../host/workerClient';
import type { ModelRef, WorkerConfig } from '../protocol/worker/workerProtocol';
import {
  buildFolderGallery,
  folderGalleryView,
  type FolderGalleryResult,
  type FolderGalleryRun,
} from '../host/folderGallery';
import type { GalleryToPanel, FolderGalleryView } from '../protocol/galleryMessages';
import type { ReportGallery } from '../protocol/reportData';
import { encodeTypedArrays } from '../analysis/typedArrayJson';
import { CLI_LIMIT_HINTS } from './numericArguments';

export interface GalleryArgs {
  layer: string;
  folder?: string;
  topK: number;
}

export interface GalleryJson {
  layer: string;
  /** Every unit of the layer on the report's image, strongest first. Boxes: input pixels [y0, x0, y1, x1). */
  image: { unit: number; max: number; y: number; x: number; box: Rect }[];
  folder?: {
    unit: number;
    patches: { file: string; y: number; x: number; value: number; box: Rect }[];
  }[];
  /** Folder files that could not be read, with the reason. */
  skipped?: SkippedFile[];
}

const TILE_SIDE = 64;
/** Units of the folder gallery whose crops the HTML report embeds. */
const REPORT_CROP_UNITS = 64;

/** Validates the gallery flags; a usage message on error. */
export function parseGalleryArgs(values: {
  'gallery-layer'?: string;
  'gallery-folder'?: string;
  'top-k'?: string;
}): GalleryArgs | undefined {
  const layer = values['gallery-layer'];
  if (layer === undefined) {
    if (values['gallery-folder'] !== undefined || values['top-k'] !== undefined)
      throw new InspectorError(
        'usage',
        '--gallery-folder and --top-k need --gallery-layer <name|auto>.',
      );
    return undefined;
  }
  const topK =
    values['top-k'] === undefined ? DEFAULT_GALLERY_OPTIONS.topK : Number(values['top-k']);
  if (!Number.isInteger(topK) || topK < 1 || topK > 1000)
    throw new InspectorError(
      'usage',
      `--top-k must be a whole number from 1 to 1000, not '${values['top-k']}'.`,
    );
  const folder =
    values['gallery-folder'] === undefined ? undefined : resolve(values['gallery-folder']);
  if (folder !== undefined && !(existsSync(folder) && statSync(folder).isDirectory()))
    throw new InspectorError('usage', `--gallery-folder ${folder}: not a folder.`);
  return { layer, folder, topK };
}

type GalleryReportOptions = RequestOptions & {
  workerScript: string;
  memoryLimitMb: number;
  verbose: boolean;
};

export async function buildGalleryReport(
  client: WorkerClient,
  config: WorkerConfig,
  model: ModelRef,
  exportName: string,
  inputSource: string,
  args: GalleryArgs,
  options: GalleryReportOptions,
): Promise<{ json: GalleryJson; html: ReportGallery }> {
  const info = await client.request(
    { type: 'galleryInfo', config, model, ...(args.layer === 'auto' ? {} : { layer: args.layer }) },
    options,
  );
  const image = await client.request(
    {
      type: 'imageGallery',
      config,
      model,
      inputSource,
      layer: info.layer,
      count: info.units,
      maxSide: TILE_SIDE,
    },
    options,
  );
  const json: GalleryJson = {
    layer: info.layer,
    image: image.units.map((u) => ({ unit: u.unit, max: u.max, y: u.y, x: u.x, box: u.box })),
  };
  const messages: GalleryToPanel[] = [
    {
      type: 'galleryState',
      layers: [info.layer],
      layer: info.layer,
      topK: args.topK,
      folder: args.folder,
    },
    {
      type: 'galleryImage',
      gallery: { ...image, imageName: basename(inputSource), units: image.units.slice(0, 16) },
    },
  ];
  if (args.folder) {
    const run = { folder: args.folder, info, model, exportName, config };
    const folder = await runFolderGallery(client, run, args.topK, options);
    json.folder = folder.units.map((u) => ({
      unit: u.unit,
      patches: u.patches.map((p) => ({ file: p.file, y: p.y, x: p.x, value: p.value, box: p.box })),
    }));
    json.skipped = folder.skipped;
    messages.push({
      type: 'galleryFolder',
      gallery: await folderView(client, config, model, folder, options),
    });
  }
  const toBase64 = (bytes: Uint8Array) => Buffer.from(bytes).toString('base64');
  return { json, html: { messages: messages.map((m) => encodeTypedArrays(m, toBase64)) } };
}

/** The folder gallery on a pool of workers (the client, which holds the model, is lent to it). */
async function runFolderGallery(
  client: WorkerClient,
  run: Pick<FolderGalleryRun, 'folder' | 'info' | 'model' | 'exportName' | 'config'>,
  topK: number,
  options: GalleryReportOptions,
): Promise<FolderGalleryResult> {
  const started = Date.now();
  const folder = await buildFolderGallery({
    ...run,
    warmWorker: client, // it holds the model: loaded once
    options: { ...DEFAULT_GALLERY_OPTIONS, topK },
    timeoutMs: options.timeoutMs,
    pool: {
      workerScript: options.workerScript,
      memoryLimitMb: options.memoryLimitMb,
      limitHints: CLI_LIMIT_HINTS,
    },
    onProgress: options.verbose
      ? (p) =>
          process.stderr.write(`… gallery ${p.done}/${p.total} images, ${p.rate.toFixed(1)}/s\n`)
      : undefined,
  });
  if (options.verbose)
    process.stderr.write(
      `… gallery of ${folder.imageCount} images in ${Date.now() - started} ms\n`,
    );
  return folder;
}

/** The folder gallery with crops for its first units, as the panel shows it. */
async function folderView(
  client: WorkerClient,
  config: WorkerConfig,
  model: ModelRef,
  result: FolderGalleryResult,
  options: RequestOptions,
): Promise<FolderGalleryView> {
  const cropped = result.units.slice(0, REPORT_CROP_UNITS).flatMap((u) => u.patches);
  const crops = await client.request(
    {
      type: 'galleryCrops',
      config,
      model,
      patches: cropped.map((p) => ({ file: p.file, box: p.box, clipped: p.clipped })),
      maxSide: TILE_SIDE,
    },
    options,
  );
  let next = 0;
  // The report is written once the run is over: complete, whatever the partial flag said.
  return folderGalleryView({ ...result, complete: true }, (_p, unitIndex) =>
    unitIndex < REPORT_CROP_UNITS ? crops[next++] : undefined,
  );
}
