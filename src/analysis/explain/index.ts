// Explanations of single units: convolution arithmetic, deconvnet / guided backprop / saliency
// projections, filters, and the 1-D signal inputs. See README.md.
export * from './types';
export { layerSpecOf } from './layerSpec';
export { unitArithmetic, type UnitArithmetic, type ArithmeticTerm } from './arithmetic';
export {
  projectUnit,
  PROJECTION_METHODS,
  NotInvertibleError,
  type Projection,
  type ProjectionMethod,
  type UnitRef,
  type ChainStep,
} from './projection';
export { layersTo, chainSteps } from './chain';
export {
  describeFilters,
  strongestUnits,
  NEAR_ZERO_FRACTION,
  type FilterSet,
  type FilterStats,
} from './filters';
export { loadSignal, syntheticSignal, SYNTHETIC_SIGNALS, type Signal } from './signal';
export { projectionPicture, encodePng } from './projectionImage';
export { cropPicture, type RgbaPicture } from '../image/rgbaPicture';
export * from './explainSession';
export * from './classExplainSession';
export type { OcclusionOptions, OcclusionResult, LongRun } from './occlusion';
export type { IgBaseline, IntegratedGradientsResult } from './integratedGradients';
export type { GradCamResult } from './gradCam';
export {
  DEFAULT_FEATURE_VISUALIZATION,
  type FeatureVisualizationOptions,
  type FeatureVisualizationResult,
} from './featureVisualization';
