/** The quick picks of "Visualize layer": model, then layer, then image. */
import * as vscode from 'vscode';
import { basename, dirname, extname } from 'node:path';
import { listModelExports, looksLikeModelFile } from '../analysis/model/listModelExports';
import { isOnnxFile } from '../analysis/model/onnxFile';
import type { LayerSummary } from '../analysis/modelSummary';
import type { ModelRef } from '../protocol/worker/workerProtocol';

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

export async function pickModel(): Promise<ModelRef | undefined> {
  const { models, problems } = await findWorkspaceModels();
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

export function formatShape(shape: readonly (number | null)[]): string {
  return shape.map((d) => d ?? '?').join('\u00d7');
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

const BROWSE = '$(folder-opened) Browse\u2026';

export async function pickImage(): Promise<string | undefined> {
  const uris = await vscode.workspace.findFiles('**/*.{png,jpg,jpeg,PNG,JPG,JPEG}', EXCLUDE, 1000);
  uris.sort((a, b) => a.fsPath.localeCompare(b.fsPath));
  const items: (vscode.QuickPickItem & { path?: string })[] = uris.map((uri) => ({
    label: basename(uri.fsPath),
    description: vscode.workspace.asRelativePath(dirname(uri.fsPath)),
    path: uri.fsPath,
  }));
  items.push({ label: BROWSE, description: 'an image file anywhere' });
  const picked = await vscode.window.showQuickPick(items, {
    title: 'CNN Inspector: pick an image',
    placeHolder: 'PNG or JPEG; it is resized to the model\u2019s input',
    matchOnDescription: true,
  });
  if (!picked) return undefined;
  if (picked.path) return picked.path;
  const chosen = await vscode.window.showOpenDialog({
    canSelectMany: false,
    filters: { Images: ['png', 'jpg', 'jpeg'] },
    title: 'Image for CNN Inspector',
  });
  return chosen?.[0]?.fsPath;
}
