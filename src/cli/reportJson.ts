/**
 * The machine-readable report (`--json`). Versioned: fields are only ever added; a change that
 * removes or renames one bumps `schemaVersion`. Documented in the README.
 */
import type { ModelSummary } from '../analysis/modelSummary';
import type { ClassScore } from '../analysis/topClasses';
import type { BackendName } from '../analysis/runtime';

export const REPORT_SCHEMA_VERSION = 1;

export interface ReportJson {
  schemaVersion: number;
  model: { file: string; exportName: string; name: string; totalParams: number };
  backend: BackendName;
  image: { file: string; width: number; height: number; channels: number };
  inputShape: (number | null)[];
  layers: {
    name: string;
    className: string;
    outputShape: (number | null)[];
    params: { trainable: number; nonTrainable: number };
  }[];
  top5: ClassScore[];
}

export function buildReportJson(
  summary: ModelSummary,
  backend: BackendName,
  image: { file: string; width: number; height: number; channels: number },
  top5: ClassScore[],
): ReportJson {
  return {
    schemaVersion: REPORT_SCHEMA_VERSION,
    model: { file: summary.file, exportName: summary.exportName, name: summary.modelName, totalParams: summary.totalParams },
    backend,
    image,
    inputShape: summary.inputShape,
    layers: summary.layers.map((l) => ({
      name: l.name,
      className: l.className,
      outputShape: l.outputShape,
      params: l.params,
    })),
    top5,
  };
}
