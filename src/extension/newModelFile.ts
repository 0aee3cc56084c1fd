/**
 * "CNN Inspector: New model file": writes a template model file (and its sample picture) into the
 * workspace, opens it and shows it in the panel, so a new user sees feature maps at once.
 */
import * as vscode from 'vscode';
import { existsSync } from 'node:fs';
import { basename, join } from 'node:path';
import {
  freeFileName,
  MODEL_TEMPLATES,
  type ModelTemplate,
} from '../analysis/model/modelTemplates';

export interface NewModelFileArgs {
  /** A template id (`lenet`, `small-cifar`); asked when absent. */
  template?: string;
  /** Folder to write into; the workspace folder (asked when several) when absent. */
  folder?: string;
  /** Open the panel on the new file (default true). */
  visualize?: boolean;
}

async function pickTemplate(id?: string): Promise<ModelTemplate | undefined> {
  if (id) {
    const found = MODEL_TEMPLATES.find((t) => t.id === id);
    if (!found) throw new Error(`No model template '${id}'.`);
    return found;
  }
  const picked = await vscode.window.showQuickPick(
    MODEL_TEMPLATES.map((template) => ({
      label: template.label,
      detail: template.detail,
      template,
    })),
    { title: 'CNN Inspector: new model file', placeHolder: 'A network to start from' },
  );
  return picked?.template;
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
  const chosen = await vscode.window.showOpenDialog({
    canSelectFiles: false,
    canSelectFolders: true,
    title: 'Folder for the new model file',
  });
  return chosen?.[0]?.fsPath;
}

/** Writes the model file and its sample picture; returns the model file, or undefined if cancelled. */
export async function newModelFile(
  extensionUri: vscode.Uri,
  args: NewModelFileArgs = {},
): Promise<string | undefined> {
  const template = await pickTemplate(args.template);
  if (!template) return undefined;
  const folder = await pickFolder(args.folder);
  if (!folder) return undefined;
  const fileName = freeFileName(template.fileName, (n) => existsSync(join(folder, n)));
  const file = join(folder, fileName);
  const image = join(folder, 'images', template.sampleImage);
  // Written to disk at once: a model runs from disk, not from an editor buffer.
  await vscode.workspace.fs.writeFile(vscode.Uri.file(file), Buffer.from(template.source, 'utf8'));
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
    await vscode.commands.executeCommand('cnnInspector.visualizeLayer', {
      modelFile: file,
      image,
    });
  }
  void vscode.window.showInformationMessage(
    `CNN Inspector: wrote ${basename(file)} and images/${template.sampleImage}.`,
  );
  return file;
}
