export * from './types';
export { extractLayerGraph } from './layerGraph';
export { countModel } from './counts';
export type { DenseEquivalent, LayerCounts, ModelCounts } from './counts';
export { computeReceptiveFields } from './receptiveField';
export type {
  AxisReceptiveField,
  LayerReceptiveField,
  ReceptiveFieldReport,
} from './receptiveField';
export { unitReceptiveField, unitReceptiveField1D } from './unitField';
export type { Rect, UnitField1D, UnitField2D } from './unitField';
export { paddingAmounts } from './geometry';
export { dilationThatRuns } from './whatRuns';
