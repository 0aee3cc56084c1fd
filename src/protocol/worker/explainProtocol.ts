/**
 * Worker requests of the unit explanations (issue 6): the arithmetic of one output value, the
 * deconvnet / guided-backprop / saliency projections of a unit, and a layer's filters. Each runs
 * on the forward pass of `inputSource` (an image, or a signal source for 1-D models).
 */
import type { ArithmeticResult, ProjectionResult } from '../../analysis/explain/explainSession';
import type { FilterSet } from '../../analysis/explain/filters';
import type { ProjectionMethod } from '../../analysis/explain/projection';
import type { ModelRef, WorkerConfig } from './workerConfig';

interface ExplainBase {
  id: number;
  config: WorkerConfig;
  model: ModelRef;
  inputSource: string;
  layerName: string;
}

export type ExplainRequest =
  | (ExplainBase & { type: 'explainArithmetic'; position: number[]; channel: number })
  | (ExplainBase & {
      type: 'explainProjections';
      /** Omitted: the layer's strongest unit (in this channel, when only the channel is given). */
      channel?: number;
      position?: number[];
      methods?: ProjectionMethod[];
    })
  | (ExplainBase & { type: 'explainFilters'; first?: number; count?: number });

export type FilterResult = FilterSet & {
  strongest?: { position: number[]; value: number; field: number[] | null }[];
};

export interface ExplainResults {
  explainArithmetic: ArithmeticResult;
  explainProjections: ProjectionResult;
  explainFilters: FilterResult;
}
