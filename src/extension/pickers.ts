/** The quick picks of "Visualize layer" and "Inspect image": model, then layer, then image. */
import * as vscode from 'vscode';
import { basename, dirname, extname } from 'node:path';
import {
  MODEL_SOURCE_LIMITS,
  listModelExports,
  looksLikeModelFile,
} from '../analysis/model/listModelExports';
import { isOnnxFile } from '../analysis/model/onnxFile';
import type { LayerSummary } from '../analysis/modelSummary';
import type { ModelRef } from '../protocol/worker/workerProtocol';
import { readImageHeader } from '../analysis/image/imageHeader';
import { imageFit, type ImageFit } from '../analysis/inputFit';
import { pickFileOrBrowse, type FileItem } from './openDialogs';
import { readRegularFile, readRegularFileStart } from '../analysis/regularFile';
import { scanModelSource } from '../analysis/source/scanModelSource';
import { inputKindOf } from '../analysis/source/inputKind';
import type { SourceScan } from '../analysis/source/types';
import { formatShape } from '../analysis/format';

const EXCLUDE = '{**/node_modules/**,**/dist/**,**/out/**,**/.git/**}';

export function modelLabel(ref: ModelRef): string {
  return !ref.exportName || ref.exportName === 'default'
    ? basename(ref.file, extname(ref.file))
    : ref.exportName;
}

/** Model files of the workspace, the active editor's first; each export is one model. */
export async function findWorkspaceModels(): Promise<{ models: ModelRef[]; problems: string[] }> {
  const uris = await vscode.workspace.findFiles('**/*.{ts,mts,cts}', EXCLUDE, 2000);
  const active = vscode.window.activeTextEditor?.document.uri.fsPath;
  const files: string[] = [];
  for (const uri of uris) {
    if (uri.fsPath.endsWith('.d.ts')) continue;
    const source = Buffer.from(await vscode.workspace.fs.readFile(uri)).toString('utf8');
    if (looksLikeModelFile(source)) files.push(uri.fsPath);
  }
  // ONNX files are models as they are (one model each, export 'default').
  const onnxFiles = await vscode.workspace.findFiles('**/*.onnx', EXCLUDE, 2000);
  files.push(...onnxFiles.map((uri) => uri.fsPath));
  files.sort((a, b) => (a === active ? -1 : b === active ? 1 : a.localeCompare(b)));
  const listed = await Promise.all(
    files.map((f) =>
      isOnnxFile(f) ? { file: f, exportNames: ['default'], error: undefined } : listModelExports(f),
    ),
  );
  const models: ModelRef[] = [];
  const problems: string[] = [];
  for (const entry of listed) {
    if (entry.error) problems.push(entry.error);
    for (const exportName of entry.exportNames) models.push({ file: entry.file, exportName });
  }
  return { models, problems };
}

/**
 * The models that may take a picture: those whose source says they take signals ([steps,
 * channels], 1-D layers) are left out; ONNX files and models the source does not tell stay.
 */
async function modelsTakingImages(models: ModelRef[]): Promise<ModelRef[]> {
  const kinds = new Map<string, SourceScan | undefined>();
  for (const file of new Set(models.map((m) => m.file))) {
    if (isOnnxFile(file)) continue;
    try {
      const source = (await readRegularFile(file, MODEL_SOURCE_LIMITS)).toString('utf8');
      kinds.set(file, scanModelSource(source, file));
    } catch {
      kinds.set(file, undefined); // unreadable now: offered, and the run says why
    }
  }
  return models.filter((ref) => {
    const scan = kinds.get(ref.file);
    return !scan || inputKindOf(scan, ref.exportName ?? 'default') !== 'signal';
  });
}

/** The model quick pick; `takes: 'image'` offers only the models that may take a picture. */
export async function pickModel(options: { takes?: 'image' } = {}): Promise<ModelRef | undefined> {
  const found = await findWorkspaceModels();
  const { problems } = found;
  const models = options.takes === 'image' ? await modelsTakingImages(found.models) : found.models;
  if (models.length === 0 && found.models.length > 0) {
    void vscode.window.showWarningMessage(
      'CNN Inspector: no model in the workspace takes an image: its models take signals ([steps, channels]). Open a signal with Visualize layer instead.',
    );
    return undefined;
  }
  if (models.length === 0) {
    const why = problems.length ? ` (${problems[0]})` : '';
    void vscode.window.showWarningMessage(
      `CNN Inspector: no model file found in the workspace${why}. A model file is a .ts file that imports @tensorflow/tfjs and exports a tf.LayersModel or a function returning one, or an .onnx file.`,
    );
    return undefined;
  }
  const items = models.map((ref) => ({
    label: modelLabel(ref),
    description: vscode.workspace.asRelativePath(ref.file),
    detail: isOnnxFile(ref.file)
      ? 'ONNX model'
      : ref.exportName === 'default'
        ? 'default export'
        : `export ${ref.exportName}`,
    ref,
  }));
  const picked = await vscode.window.showQuickPick(items, {
    title: 'CNN Inspector: pick a model',
    placeHolder: 'Models exported by the workspace\u2019s model files',
    matchOnDescription: true,
  });
  return picked?.ref;
}

export async function pickLayer(layers: LayerSummary[]): Promise<string | undefined> {
  const items = layers.map((layer) => ({
    label: layer.name,
    description: `${layer.className} \u00b7 ${formatShape(layer.outputShape)}`,
    detail: `${(layer.params.trainable + layer.params.nonTrainable).toLocaleString('en-US')} parameters`,
  }));
  const picked = await vscode.window.showQuickPick(items, {
    title: 'CNN Inspector: pick a layer',
    placeHolder: 'The panel opens at this layer',
    matchOnDescription: true,
  });
  return picked?.label;
}

/** Enough of a file for a PNG's IHDR or a JPEG's frame header after its EXIF block. */
const HEADER_BYTES = 64 * 1024;

/** The images' fit to the model's input, best first; undefined rank when the header is unreadable. */
async function rankImages(
  uris: vscode.Uri[],
  inputShape: readonly (number | null)[],
): Promise<{ uri: vscode.Uri; fit?: ImageFit }[]> {
  return Promise.all(
    uris.map(async (uri) => {
      try {
        const header = readImageHeader(await readRegularFileStart(uri.fsPath, HEADER_BYTES));
        return { uri, fit: header && imageFit(header, inputShape) };
      } catch {
        return { uri }; // unreadable here: the run reports why, if it is picked
      }
    }),
  );
}

const FIT_GROUPS = ['As the model takes them', 'Resized', 'Converted'];

/** The image picker, given the model's input shape when it is known. */
export type ChooseImage = (inputShape?: readonly (number | null)[]) => Promise<string | undefined>;

/**
 * The workspace's PNG and JPEG files; with the model's input shape ([height, width, channels]),
 * those that already have its channels and size first, then those that only need resizing.
 */
export async function pickImage(
  inputShape?: readonly (number | null)[],
): Promise<string | undefined> {
  const uris = await vscode.workspace.findFiles('**/*.{png,jpg,jpeg,PNG,JPG,JPEG}', EXCLUDE, 1000);
  uris.sort((a, b) => a.fsPath.localeCompare(b.fsPath));
  const item = (uri: vscode.Uri, fit?: ImageFit): FileItem => ({
    label: basename(uri.fsPath),
    description: vscode.workspace.asRelativePath(dirname(uri.fsPath)),
    ...(fit ? { detail: fit.note } : {}),
    path: uri.fsPath,
  });
  const items: FileItem[] = [];
  if (inputShape?.length === 3) {
    const ranked = await rankImages(uris, inputShape);
    const groups = [0, 1, 2, undefined].map((rank) => ranked.filter((r) => r.fit?.rank === rank));
    groups.forEach((group, i) => {
      if (group.length === 0) return;
      const label = FIT_GROUPS[i] ?? 'Size unknown';
      items.push({ label, kind: vscode.QuickPickItemKind.Separator });
      items.push(...group.map((r) => item(r.uri, r.fit)));
    });
  } else {
    items.push(...uris.map((uri) => item(uri)));
  }
  return pickFileOrBrowse(
    items,
    {
      title: 'CNN Inspector: pick an image',
      placeHolder: inputShape
        ? `PNG or JPEG; the model takes ${describeImageInput(inputShape)}`
        : 'PNG or JPEG; it is resized to the model\u2019s input',
      matchOnDescription: true,
    },
    {
      description: 'an image file anywhere',
      title: 'Image for CNN Inspector',
      filters: { Images: ['png', 'jpg', 'jpeg'] },
    },
  );
}

function describeImageInput([height, width, channels]: readonly (number | null)[]): string {
  const colour = channels === 1 ? 'grey' : channels === 3 ? 'colour' : `${channels}-channel`;
  return height && width ? `${width}\u00d7${height} ${colour}` : `${colour} pictures of any size`;
}
