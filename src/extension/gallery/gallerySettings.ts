/** The gallery's settings and the cache folder (the extension's global storage). */
import * as vscode from 'vscode';
import { isAbsolute } from 'node:path';
import { clampSetting } from '../numericSettings';

let storageDir: string | undefined;

/** Called once on activation with context.globalStorageUri. */
export function setGalleryStorageDir(dir: string): void {
  storageDir = dir;
}

export function galleryStorageDir(): string | undefined {
  return storageDir;
}

/** `cnnInspector.galleryFolder` as an absolute path (relative: to the first workspace folder). */
export function galleryFolderSetting(): string | undefined {
  const value = vscode.workspace.getConfiguration('cnnInspector').get<string>('galleryFolder', '');
  if (!value) return undefined;
  if (isAbsolute(value)) return value;
  const folder = vscode.workspace.workspaceFolders?.[0];
  return folder ? vscode.Uri.joinPath(folder.uri, value).fsPath : undefined;
}

export function galleryTopK(): number {
  return clampSetting(
    'galleryTopK',
    vscode.workspace.getConfiguration('cnnInspector').get('galleryTopK'),
  );
}
