/**
 * Panel messages of the unit explanations: the webview asks for the arithmetic of a clicked unit,
 * the projections of a unit (the strongest when none is given) or a layer's filters; the host
 * answers with the worker's result (typed arrays, only what the view draws).
 */
import type { ArithmeticResult, ProjectionResult } from '../analysis/explain/explainSession';
import type { FilterResult } from './worker/explainProtocol';
import type { ClassExplainResults } from './worker/classExplainProtocol';
import type { GalleryComparison } from '../analysis/explain/featureComparison';
import type { IgBaseline } from '../analysis/explain/integratedGradients';

/** The Why tab's class explanations (issue 17): a class index and each method's settings. */
export type ClassQuery =
  | { kind: 'gradcam'; classIndex: number; camLayer?: string }
  | { kind: 'occlusion'; classIndex: number; window: number; stride: number; fill: number }
  | { kind: 'integratedGradients'; classIndex: number; steps: number; baseline: IgBaseline }
  | { kind: 'featureVisualization'; layer: string; channel: number; steps: number };

export type ClassAnswer =
  | { kind: 'gradcam'; result: ClassExplainResults['classGradCam'] }
  | { kind: 'occlusion'; result: ClassExplainResults['classOcclusion'] }
  | { kind: 'integratedGradients'; result: ClassExplainResults['classIntegratedGradients'] }
  | {
      kind: 'featureVisualization';
      result: ClassExplainResults['visualizeUnit'];
      /** Present when the panel has a folder gallery of the same layer. */
      gallery?: GalleryComparison;
    };

export type ExplainQuery =
  | { kind: 'arithmetic'; layer: string; position: number[]; channel: number }
  | { kind: 'projections'; layer: string; channel?: number; position?: number[] }
  /** `first` / `count`: which filters' weight grids to send (default the first 16). */
  | { kind: 'filters'; layer: string; first?: number; count?: number }
  | ClassQuery;

export type ExplainAnswer =
  | { kind: 'arithmetic'; result: ArithmeticResult }
  | { kind: 'projections'; result: ProjectionResult }
  | { kind: 'filters'; result: FilterResult }
  | ClassAnswer;

/**
 * `id` numbers the panel's questions; the host echoes it in the answer, failure and progress, so
 * the panel keeps only the answer to its latest question of each kind (webview/explainRequests.ts).
 */
export type ExplainToHost =
  | { type: 'explain'; id: number; query: ExplainQuery }
  /** Stops the running occlusion, integrated gradients or feature visualization. */
  | { type: 'cancelExplain' };
export type ExplainToPanel =
  | { type: 'explained'; id: number; answer: ExplainAnswer }
  | { type: 'explainFailed'; id: number; query: ExplainQuery; message: string }
  | { type: 'explainProgress'; id: number; kind: ClassQuery['kind']; message: string };
