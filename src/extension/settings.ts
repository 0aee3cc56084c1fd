/**
 * Typed access to the `cnnInspector.*` settings: every read goes through {@link readSettings}.
 * Settings with `"scope": "resource"` in package.json (defaultImage, galleryFolder) can differ per
 * workspace folder, so callers pass the file or folder the value is for.
 */
import * as vscode from 'vscode';
import { isAbsolute } from 'node:path';
import type { BackendPreference } from '../analysis/runtime';
import type { EnginePreference } from '../analysis/engines/chooseEngine';
import type { Normalization, SequentialColormap } from '../protocol/panelProtocol';
import { clampSetting } from './numericSettings';

export interface InspectorSettings {
  backend: BackendPreference;
  engine: EnginePreference;
  /** As written: relative paths are resolved by {@link resolveSettingPath}. */
  defaultImage: string;
  colormap: SequentialColormap;
  normalization: Normalization;
  modelTimeoutSeconds: number;
  workerMemoryLimitMb: number;
  maxImageMegapixels: number;
  /** As written: relative paths are resolved by {@link resolveSettingPath}. */
  galleryFolder: string;
  galleryTopK: number;
  /** WebAssembly threads: 0 one per core, 1 single-threaded. Numbers are clamped to package.json's ranges. */
  wasmThreads: number;
  /** ONNX Runtime intra-op threads: 0 one per core (at most 4). Clamped to package.json's range. */
  engineThreads: number;
  codeLens: boolean;
  rerunOnSave: boolean;
}

export type SettingName = keyof InspectorSettings;

/** `scope`: the file or folder the values are for (the resource-scoped settings differ per folder). */
export function readSettings(scope?: vscode.Uri): InspectorSettings {
  const c = vscode.workspace.getConfiguration('cnnInspector', scope);
  return {
    backend: c.get<BackendPreference>('backend', 'auto'),
    engine: c.get<EnginePreference>('engine', 'auto'),
    defaultImage: c.get<string>('defaultImage', ''),
    colormap: c.get<SequentialColormap>('colormap', 'viridis'),
    normalization: c.get<Normalization>('normalization', 'layer'),
    modelTimeoutSeconds: clampSetting('modelTimeoutSeconds', c.get('modelTimeoutSeconds')),
    workerMemoryLimitMb: clampSetting('workerMemoryLimitMb', c.get('workerMemoryLimitMb')),
    maxImageMegapixels: clampSetting('maxImageMegapixels', c.get('maxImageMegapixels')),
    galleryFolder: c.get<string>('galleryFolder', ''),
    galleryTopK: clampSetting('galleryTopK', c.get('galleryTopK')),
    wasmThreads: clampSetting('wasmThreads', c.get('wasmThreads')),
    engineThreads: clampSetting('engineThreads', c.get('engineThreads')),
    codeLens: c.get<boolean>('codeLens', true),
    rerunOnSave: c.get<boolean>('rerunOnSave', true),
  };
}

/** Writes a setting, for the commands that offer to change one (in the workspace by default). */
export function updateSetting<K extends SettingName>(
  name: K,
  value: InspectorSettings[K],
  target = vscode.ConfigurationTarget.Workspace,
): Thenable<void> {
  return vscode.workspace.getConfiguration('cnnInspector').update(name, value, target);
}

/** Whether a configuration change touches any of `names`. */
export function settingsChanged(
  event: vscode.ConfigurationChangeEvent,
  ...names: SettingName[]
): boolean {
  return names.some((name) => event.affectsConfiguration(`cnnInspector.${name}`));
}

/**
 * A path setting as an absolute path: relative paths are taken from the workspace folder of
 * `scope` (the first folder when there is no scope or it is outside the workspace).
 */
export function resolveSettingPath(value: string, scope?: vscode.Uri): string | undefined {
  if (!value) return undefined;
  if (isAbsolute(value) || /^[A-Za-z]:[\\/]/.test(value)) return value;
  const folder =
    (scope && vscode.workspace.getWorkspaceFolder(scope)) ?? vscode.workspace.workspaceFolders?.[0];
  return folder ? vscode.Uri.joinPath(folder.uri, value).fsPath : undefined;
}
