/**
 * Worker requests of the class explanations (issue 17): Grad-CAM with Guided Grad-CAM, occlusion,
 * integrated gradients, and the input a channel wants. Each runs on the forward pass of
 * `inputSource`; the long ones report progress messages and are cancelled by restarting the worker.
 */
import type {
  FeatureVisualizationExplanation,
  GradCamExplanation,
  ClassRef,
} from '../../analysis/explain/classExplainSession';
import type { OcclusionOptions, OcclusionResult } from '../../analysis/explain/occlusion';
import type {
  IgBaseline,
  IntegratedGradientsResult,
} from '../../analysis/explain/integratedGradients';
import type { FeatureVisualizationOptions } from '../../analysis/explain/featureVisualization';
import type { ModelRef, WorkerConfig } from './workerConfig';

interface ClassBase {
  id: number;
  config: WorkerConfig;
  model: ModelRef;
  inputSource: string;
  /** A class index, 'top', or a label. */
  classRef: number | string;
}

export type ClassExplainRequest =
  | (ClassBase & { type: 'classGradCam'; camLayer?: string })
  | (ClassBase & { type: 'classOcclusion'; options: OcclusionOptions })
  | (ClassBase & { type: 'classIntegratedGradients'; steps: number; baseline: IgBaseline })
  | (Omit<ClassBase, 'classRef'> & {
      type: 'visualizeUnit';
      layerName: string;
      channel: number;
      options?: Partial<FeatureVisualizationOptions>;
    });

export interface ClassExplainResults {
  classGradCam: GradCamExplanation;
  classOcclusion: OcclusionResult & { class: ClassRef };
  classIntegratedGradients: IntegratedGradientsResult & { class: ClassRef };
  visualizeUnit: FeatureVisualizationExplanation;
}
