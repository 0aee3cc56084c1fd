/**
 * "CNN Inspector: New model file": writes a template model file (and its sample picture) into the
 * workspace, opens it and shows it in the panel, so a new user sees feature maps at once.
 */
import * as vscode from 'vscode';
import { COMMAND, type VisualizeArgs } from './commandIds';
import { pickFileDialog, pickFolderDialog } from './openDialogs';
import { existsSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import {
  freeFileName,
  MODEL_TEMPLATES,
  type ModelTemplate,
} from '../analysis/model/modelTemplates';
import {
  ONNX_WRAPPER_TEMPLATE,
  onnxWrapperFileName,
  onnxWrapperSource,
} from '../analysis/model/onnxWrapperTemplate';

export interface NewModelFileArgs {
  /** A template id (`lenet`, `small-cifar`, `onnx-wrapper`); asked when absent. */
  template?: string;
  /** For `onnx-wrapper`: the .onnx file to wrap (asked when absent); the wrapper goes beside it. */
  onnxFile?: string;
  /** Folder to write into; the workspace folder (asked when several) when absent. */
  folder?: string;
  /** Open the panel on the new file (default true). */
  visualize?: boolean;
}

type TemplateChoice = ModelTemplate | typeof ONNX_WRAPPER_TEMPLATE;

async function pickTemplate(id?: string): Promise<TemplateChoice | undefined> {
  const choices: TemplateChoice[] = [...MODEL_TEMPLATES, ONNX_WRAPPER_TEMPLATE];
  if (id) {
    const found = choices.find((t) => t.id === id);
    if (!found) throw new Error(`No model template '${id}'.`);
    return found;
  }
  const picked = await vscode.window.showQuickPick(
    choices.map((template) => ({
      label: template.label,
      detail: template.detail,
      template,
    })),
    { title: 'CNN Inspector: new model file', placeHolder: 'A network to start from' },
  );
  return picked?.template;
}

async function pickOnnxFile(onnxFile?: string): Promise<string | undefined> {
  if (onnxFile) return onnxFile;
  return pickFileDialog(
    'The ONNX file to wrap',
    { 'ONNX model': ['onnx'] },
    { defaultUri: vscode.workspace.workspaceFolders?.[0]?.uri, openLabel: 'Wrap this model' },
  );
}

async function pickFolder(folder?: string): Promise<string | undefined> {
  if (folder) return folder;
  const folders = vscode.workspace.workspaceFolders ?? [];
  if (folders.length === 1) return folders[0].uri.fsPath;
  if (folders.length > 1) {
    const picked = await vscode.window.showWorkspaceFolderPick({
      placeHolder: 'Folder for the new model file',
    });
    return picked?.uri.fsPath;
  }
  return pickFolderDialog('Folder for the new model file');
}

/** Writes the model file and its sample picture; returns the model file, or undefined if cancelled. */
export async function newModelFile(
  extensionUri: vscode.Uri,
  args: NewModelFileArgs = {},
): Promise<string | undefined> {
  const template = await pickTemplate(args.template);
  if (!template) return undefined;
  let folder: string | undefined;
  let fileName: string;
  let source: string;
  if (!('source' in template)) {
    const onnxFile = await pickOnnxFile(args.onnxFile);
    if (!onnxFile) return undefined;
    // Beside the ONNX file, so the path in loadOnnxModel stays './name.onnx'.
    folder = dirname(onnxFile);
    const taken = (n: string) => existsSync(join(folder!, n));
    fileName = freeFileName(onnxWrapperFileName(basename(onnxFile)), taken);
    source = onnxWrapperSource(basename(onnxFile));
  } else {
    folder = await pickFolder(args.folder);
    if (!folder) return undefined;
    fileName = freeFileName(template.fileName, (n) => existsSync(join(folder!, n)));
    source = template.source;
  }
  const file = join(folder, fileName);
  const image = join(folder, 'images', template.sampleImage);
  // Written to disk at once: a model runs from disk, not from an editor buffer.
  await vscode.workspace.fs.writeFile(vscode.Uri.file(file), Buffer.from(source, 'utf8'));
  if (!existsSync(image)) {
    const sample = vscode.Uri.joinPath(extensionUri, 'media', 'samples', template.sampleImage);
    await vscode.workspace.fs.writeFile(
      vscode.Uri.file(image),
      await vscode.workspace.fs.readFile(sample),
    );
  }
  const document = await vscode.workspace.openTextDocument(file);
  await vscode.window.showTextDocument(document, { preview: false });
  if (args.visualize !== false) {
    await vscode.commands.executeCommand(COMMAND.visualizeLayer, {
      modelFile: file,
      image,
    } satisfies VisualizeArgs);
  }
  void vscode.window.showInformationMessage(
    `CNN Inspector: wrote ${basename(file)} and images/${template.sampleImage}.`,
  );
  return file;
}
