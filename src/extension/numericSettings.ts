/**
 * The numeric `cnnInspector.*` settings, clamped to the range package.json declares. VS Code only
 * warns about an out-of-range value in settings.json and still hands it over: a timeout of 1e9
 * seconds would overflow the timer (it fires at once), a memory limit of 0 stops every model.
 * No `vscode` import, so the ranges are testable in plain Node.
 */
import { contributes } from '../../package.json';

export type NumericSettingName =
  | 'modelTimeoutSeconds'
  | 'workerMemoryLimitMb'
  | 'maxImageMegapixels'
  | 'galleryTopK'
  | 'wasmThreads'
  | 'engineThreads';

export interface SettingRange {
  minimum: number;
  maximum: number;
  default: number;
}

const declared = contributes.configuration.properties as unknown as Record<
  string,
  Partial<SettingRange>
>;

export function settingRange(name: NumericSettingName): SettingRange {
  const { minimum, maximum, default: fallback } = declared[`cnnInspector.${name}`] ?? {};
  if (minimum === undefined || maximum === undefined || fallback === undefined)
    throw new Error(`package.json: cnnInspector.${name} needs a minimum, a maximum and a default.`);
  return { minimum, maximum, default: fallback };
}

/** The value as a whole number inside the declared range; the default when it is not a number. */
export function clampSetting(name: NumericSettingName, value: unknown): number {
  const range = settingRange(name);
  if (typeof value !== 'number' || !Number.isFinite(value)) return range.default;
  return Math.min(range.maximum, Math.max(range.minimum, Math.round(value)));
}
