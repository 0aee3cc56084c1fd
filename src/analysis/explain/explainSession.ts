// The explanations of one loaded model after a forward pass: the glue between InspectionSession
// (layers, activations, the model input) and the pure explanation modules.
import type { InspectionSession } from '../inspectionSession';
import { InspectorError, errorMessage } from '../errors';
import { unitReceptiveField, unitReceptiveField1D } from '../structure/unitField';
import { unitArithmetic, type UnitArithmetic } from './arithmetic';
import { chainSteps, layersTo } from './chain';
import { describeFilters, strongestUnits, type FilterSet } from './filters';
import { layerSpecOf } from './layerSpec';
import {
  NotInvertibleError,
  projectUnit,
  unitIndex,
  type Projection,
  type ProjectionMethod,
  type UnitRef,
} from './projection';
import type { ArrayND } from './types';
import { channelOrderNote, type ChannelOrder } from './channelOrder';

export interface ArithmeticResult extends UnitArithmetic {
  /** The value the forward pass wrote into the feature map, for comparison. */
  featureMapValue: number;
  notes: string[];
}

export interface ProjectionResult {
  unit: UnitRef;
  /** The unit's activation in the forward pass. */
  value: number;
  /** The model input's shape (no batch). */
  inputShape: number[];
  projections: Projection[];
  /** The unit's receptive field on the input, half-open per axis ([y0, x0, y1, x1] or [t0, t1]), clipped. */
  field: number[] | null;
  /** The colour order of the input's channels: pictures map them to RGB accordingly. */
  channelOrder: ChannelOrder;
  /** Set when the chain holds a layer that cannot be inverted (then `projections` is empty). */
  notInvertible?: { layer: string; className: string; reason: string };
}

function outputOf(session: InspectionSession, name: string): ArrayND {
  const a = session.layer(name);
  return { data: a.data, shape: a.shape };
}

function modelInputOf(session: InspectionSession): ArrayND {
  const input = session.modelInput;
  if (!input)
    throw new InspectorError(
      'layer',
      'Choose an input first: the explanations need a forward pass.',
    );
  return input;
}

/** The values that entered layer `name` in the last forward pass. */
export function layerInput(session: InspectionSession, name: string): ArrayND {
  const model = session.layersModel;
  const layer = model.getLayer(name);
  const inbound = layer.inboundNodes[0]?.inboundLayers ?? [];
  if (inbound.length !== 1)
    throw new InspectorError('layer', `Layer '${name}' takes ${inbound.length} inputs.`);
  return inbound[0].getClassName() === 'InputLayer'
    ? modelInputOf(session)
    : outputOf(session, inbound[0].name);
}

/** The arithmetic of one unit of a convolution or pooling layer, checked against its feature map. */
export function explainArithmetic(
  session: InspectionSession,
  layerName: string,
  position: number[],
  channel: number,
): ArithmeticResult {
  const spec = layerSpecOf(session.layersModel.getLayer(layerName));
  const output = outputOf(session, layerName);
  let arithmetic: UnitArithmetic;
  try {
    arithmetic = unitArithmetic(spec, layerInput(session, layerName), position, channel);
  } catch (error) {
    throw new InspectorError('layer', errorMessage(error));
  }
  const featureMapValue =
    output.data[unitIndex(output.shape, { layer: layerName, position, channel })];
  return { ...arithmetic, featureMapValue, notes: spec.notes ?? [] };
}

/** The unit to explain: the one given, or the layer's strongest (largest activation over all channels). */
export function resolveUnit(
  session: InspectionSession,
  layerName: string,
  channel?: number,
  position?: number[],
): UnitRef {
  const output = outputOf(session, layerName);
  if (channel !== undefined && position !== undefined)
    return { layer: layerName, channel, position };
  const strongest = strongestUnits(output);
  if (channel !== undefined) {
    if (!Number.isInteger(channel) || channel < 0 || channel >= strongest.length) {
      throw new InspectorError(
        'usage',
        `channel ${channel} is outside layer '${layerName}' (${strongest.length} channels)`,
      );
    }
    return { layer: layerName, channel, position: strongest[channel].position };
  }
  const best = strongest.reduce((b, s, c) => (s.value > strongest[b].value ? c : b), 0);
  return { layer: layerName, channel: best, position: strongest[best].position };
}

function fieldOf(session: InspectionSession, unit: UnitRef, inputShape: number[]): number[] | null {
  const rf = session.structure?.layers.find((l) => l.name === unit.layer)?.receptiveField;
  if (!rf || !rf.axes || rf.collapsed) return null;
  try {
    if (unit.position.length === 2 && inputShape.length === 3) {
      return unitReceptiveField(
        rf,
        unit.position[0],
        unit.position[1],
        inputShape[0],
        inputShape[1],
      ).clipped;
    }
    if (unit.position.length === 1 && inputShape.length === 2) {
      return unitReceptiveField1D(rf, unit.position[0], inputShape[0]).clipped;
    }
  } catch {
    return null;
  }
  return null;
}

/** Deconvnet, guided backpropagation and saliency of one unit, full size, with its field for cropping. */
export function explainProjections(
  session: InspectionSession,
  unit: UnitRef,
  methods: ProjectionMethod[] = ['deconvnet', 'guided', 'saliency'],
): ProjectionResult {
  const input = modelInputOf(session);
  const output = outputOf(session, unit.layer);
  let index: number;
  try {
    index = unitIndex(output.shape, unit);
  } catch (error) {
    throw new InspectorError('usage', (error as Error).message);
  }
  const value = output.data[index];
  const base = {
    unit,
    value,
    inputShape: input.shape,
    field: fieldOf(session, unit, input.shape),
    channelOrder: session.channelOrder,
  };
  try {
    const steps = chainSteps(layersTo(session.layersModel, unit.layer), input, (n) =>
      outputOf(session, n),
    );
    const colourNote =
      input.shape.length === 3 && input.shape[2] === 3
        ? channelOrderNote(session.channelOrder)
        : [];
    const projections = methods
      .map((m) => projectUnit(session.tf, steps, unit, value, m))
      .map((p) => ({ ...p, notes: [...p.notes, ...colourNote] }));
    return { ...base, projections };
  } catch (error) {
    if (error instanceof NotInvertibleError) {
      return {
        ...base,
        projections: [],
        notInvertible: { layer: error.layer, className: error.className, reason: error.reason },
      };
    }
    throw error;
  }
}

/** A convolution layer's filters; for the first layer also each filter's strongest unit on this input. */
export function explainFilters(
  session: InspectionSession,
  layerName: string,
  first = 0,
  count = 16,
): FilterSet & { strongest?: { position: number[]; value: number; field: number[] | null }[] } {
  const spec = layerSpecOf(session.layersModel.getLayer(layerName));
  const inbound = session.layersModel.getLayer(layerName).inboundNodes[0]?.inboundLayers ?? [];
  const isFirst = inbound.length === 1 && inbound[0].getClassName() === 'InputLayer';
  let set: FilterSet;
  try {
    set = describeFilters(spec, first, count, isFirst ? session.channelOrder : 'rgb');
  } catch (error) {
    throw new InspectorError('layer', (error as Error).message);
  }
  const input = session.modelInput;
  if (!isFirst || !input) return set;
  const strongest = strongestUnits(outputOf(session, layerName)).map((s, c) => ({
    ...s,
    field: fieldOf(session, { layer: layerName, channel: c, position: s.position }, input.shape),
  }));
  return { ...set, strongest };
}
