/**
 * The machine-readable report (`--json`). Versioned: fields are only ever added; a change that
 * removes or renames one bumps `schemaVersion`. Documented in the README.
 */
import type { ModelSummary } from '../analysis/modelSummary';
import type { ClassScore } from '../analysis/topClasses';
import type { BackendName } from '../analysis/runtime';
import {
  structureLayerJson,
  type ModelStructure,
  type StructureLayerJson,
} from '../analysis/structure/modelStructure';

export const REPORT_SCHEMA_VERSION = 1;

type LayerJson = {
  name: string;
  className: string;
  outputShape: (number | null)[];
  params: { trainable: number; nonTrainable: number };
} & Partial<StructureLayerJson>;

export interface ReportJson {
  schemaVersion: number;
  model: { file: string; exportName: string; name: string; totalParams: number };
  /** What computed the activations: onnxruntime, or the TensorFlow.js backend. */
  backend: BackendName;
  /** Only when ONNX Runtime was wanted but cannot run the model: why (it ran on TensorFlow.js). */
  engineFallback?: string;
  image: { file: string; width: number; height: number; channels: number };
  inputShape: (number | null)[];
  layers: LayerJson[];
  /**
   * Model totals: parameters, MACs of convolutions and dense layers (FLOPs = 2 x MACs) and bytes
   * of every layer's float32 output at batch 1. Absent when the structure analysis failed.
   */
  totals?: {
    params: number;
    trainableParams: number;
    nonTrainableParams: number;
    macs: number;
    flops: number;
    activationBytes: number;
    /** Layers whose MACs could not be counted (not included in `macs`). */
    layersWithUnknownMacs: string[];
  };
  /** Why the structure fields are missing, when they are. */
  structureError?: string;
  top5: ClassScore[];
  /**
   * What makes the results doubtful, when anything does: a backend other than the one asked for,
   * NaN or infinite values in the weights or the layers' outputs. Also printed by the CLI.
   */
  warnings?: string[];
}

export function buildReportJson(
  summary: ModelSummary,
  backend: BackendName,
  image: { file: string; width: number; height: number; channels: number },
  top5: ClassScore[],
  structure: ModelStructure | null = null,
  structureError?: string,
): ReportJson {
  const byName = new Map(structure?.layers.map((l) => [l.name, l]));
  const report: ReportJson = {
    schemaVersion: REPORT_SCHEMA_VERSION,
    model: {
      file: summary.file,
      exportName: summary.exportName,
      name: summary.modelName,
      totalParams: summary.totalParams,
    },
    backend,
    image,
    inputShape: summary.inputShape,
    layers: summary.layers.map((l) => {
      const layer = byName.get(l.name);
      return {
        name: l.name,
        className: l.className,
        outputShape: l.outputShape,
        params: l.params,
        ...(layer ? structureLayerJson(layer) : {}),
      };
    }),
    top5,
  };
  if (structure) {
    const t = structure.totals;
    report.totals = {
      params: t.params,
      trainableParams: t.trainableParams,
      nonTrainableParams: t.nonTrainableParams,
      macs: t.macs,
      flops: t.flops,
      activationBytes: t.activationBytes,
      layersWithUnknownMacs: t.layersWithUnknownMacs,
    };
  } else if (structureError) {
    report.structureError = structureError;
  }
  return report;
}
