/** "CNN Inspector: Build gallery from folder" (explorer context menu on a folder, or the palette). */
import * as vscode from 'vscode';
import type { ModelService } from '../modelService';
import type { PanelRegistry } from '../panelRegistry';
import { requireTrust } from '../workspaceTrust';
import { pickModel } from '../pickers';
import { pickGalleryFolder } from './openGalleryFile';
import type { ModelRef } from '../../protocol/worker/workerProtocol';
import { readSettings, resolveSettingPath } from '../settings';

export interface BuildGalleryArgs {
  modelFile?: string;
  exportName?: string;
}

/** The panel of the model the arguments name, or of the one the user picks; undefined if none. */
async function openModelPanel(panels: PanelRegistry, args: BuildGalleryArgs) {
  const ref: ModelRef | undefined = args.modelFile
    ? { file: args.modelFile, exportName: args.exportName }
    : await pickModel();
  if (!ref) return undefined;
  const panel = panels.open(ref);
  await panel.show({});
  return panel;
}

export async function buildGalleryFromFolder(
  models: ModelService,
  panels: PanelRegistry,
  folderUri?: vscode.Uri,
  args: BuildGalleryArgs = {},
): Promise<string | undefined> {
  if (!requireTrust()) return undefined;
  try {
    const scope = args.modelFile ? vscode.Uri.file(args.modelFile) : undefined;
    let folder = folderUri?.fsPath ?? resolveSettingPath(readSettings(scope).galleryFolder, scope);
    folder ??= await pickGalleryFolder();
    if (!folder) return undefined;
    const panel = await openModelPanel(panels, args);
    if (!panel) return undefined;
    await panel.gallery.showFolder(folder);
    return folder;
  } catch (error) {
    models.report(error);
    return undefined;
  }
}

export interface OpenGalleryFileArgs extends BuildGalleryArgs {
  /** The images' folder; default: ask, starting at the gallery file's folder. */
  folder?: string;
}

/**
 * "CNN Inspector: Open gallery file..." (palette, or the explorer on a .json file): a merged
 * gallery from `cnn-inspector merge` shown in the Gallery tab of a model's panel.
 */
export async function openGalleryFile(
  models: ModelService,
  panels: PanelRegistry,
  fileUri?: vscode.Uri,
  args: OpenGalleryFileArgs = {},
): Promise<string | undefined> {
  if (!requireTrust()) return undefined;
  try {
    const panel = await openModelPanel(panels, args);
    if (!panel) return undefined;
    return await panel.gallery.openGalleryFile(fileUri?.fsPath, args.folder);
  } catch (error) {
    models.report(error);
    return undefined;
  }
}
