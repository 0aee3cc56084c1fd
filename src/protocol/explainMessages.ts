/**
 * Panel messages of the unit explanations: the webview asks for the arithmetic of a clicked unit,
 * the projections of a unit (the strongest when none is given) or a layer's filters; the host
 * answers with the worker's result (typed arrays, only what the view draws).
 */
import type { ArithmeticResult, ProjectionResult } from '../analysis/explain/explainSession';
import type { FilterResult } from '../worker/explainProtocol';

export type ExplainQuery =
  | { kind: 'arithmetic'; layer: string; position: number[]; channel: number }
  | { kind: 'projections'; layer: string; channel?: number; position?: number[] }
  /** `first` / `count`: which filters' weight grids to send (default the first 16). */
  | { kind: 'filters'; layer: string; first?: number; count?: number };

export type ExplainAnswer =
  | { kind: 'arithmetic'; result: ArithmeticResult }
  | { kind: 'projections'; result: ProjectionResult }
  | { kind: 'filters'; result: FilterResult };

export type ExplainToHost = { type: 'explain'; query: ExplainQuery };
export type ExplainToPanel =
  | { type: 'explained'; answer: ExplainAnswer }
  | { type: 'explainFailed'; query: ExplainQuery; message: string };
