/** Typed access to the `cnnInspector.*` settings. */
import * as vscode from 'vscode';
import type { BackendPreference } from '../analysis/runtime';
import type { EnginePreference } from '../analysis/engines/chooseEngine';
import type { Normalization, SequentialColormap } from '../protocol/panelProtocol';
import { clampSetting } from './numericSettings';

export interface InspectorSettings {
  backend: BackendPreference;
  engine: EnginePreference;
  defaultImage: string;
  colormap: SequentialColormap;
  normalization: Normalization;
  modelTimeoutSeconds: number;
  workerMemoryLimitMb: number;
  maxImageMegapixels: number;
}

export function readSettings(): InspectorSettings {
  const c = vscode.workspace.getConfiguration('cnnInspector');
  return {
    backend: c.get<BackendPreference>('backend', 'auto'),
    engine: c.get<EnginePreference>('engine', 'auto'),
    defaultImage: c.get<string>('defaultImage', ''),
    colormap: c.get<SequentialColormap>('colormap', 'viridis'),
    normalization: c.get<Normalization>('normalization', 'layer'),
    modelTimeoutSeconds: clampSetting('modelTimeoutSeconds', c.get('modelTimeoutSeconds')),
    workerMemoryLimitMb: clampSetting('workerMemoryLimitMb', c.get('workerMemoryLimitMb')),
    maxImageMegapixels: clampSetting('maxImageMegapixels', c.get('maxImageMegapixels')),
  };
}
