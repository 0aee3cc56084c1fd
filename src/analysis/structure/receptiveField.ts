// Exact receptive fields in the convention of Araujo, Norris & Sim, "Computing Receptive Fields
// of Convolutional Neural Networks" (Distill, 2019): along each spatial axis a layer's units are
// described by `size` (r), `jump` (j, effective stride) and `padding` (p), all in input pixels;
// unit i covers input coordinates [-p + i*j, -p + i*j + r - 1] and is centred at
// -p + i*j + (r - 1) / 2. A windowed layer with effective kernel k, stride s and padding before
// q maps (r, j, p) to (r + (k - 1) j, j s, p + q j).
import { axisWindows, spatialDims } from './geometry';
import { layerCapabilities } from '../layerCapabilities';
import type { Dim, LayerGraph, LayerNode, Shape } from './types';

export interface AxisReceptiveField {
  size: number;
  jump: number;
  padding: number;
}

export interface LayerReceptiveField {
  name: string;
  className: string;
  /** [height, width] for 2-D models, [length] for 1-D ones; null when it cannot be described. */
  axes: AxisReceptiveField[] | null;
  /** Why `axes` is null. */
  reason?: string;
  /**
   * True after Flatten / global pooling: the layer has no spatial layout left, and its field
   * (`axes`, unit 0) is the union of the fields of every position it gathered.
   */
  collapsed: boolean;
  /** Output length per spatial axis, when the layer keeps a spatial layout. */
  outputSize: Dim[] | null;
  /** The model input the coordinates refer to. */
  sourceInput: string | null;
  /**
   * Set when the field comes through a merge (Add, Concatenate...) whose branches look at
   * different places (different jumps or centres): which merge, branches and offsets. `axes` then
   * holds the largest branch's field, which not every unit of the layer has.
   */
  misalignment?: string;
  warnings: string[];
}

export interface ReceptiveFieldReport {
  /** The model input's spatial size per axis (first input), when known. */
  inputSize: Dim[] | null;
  layers: LayerReceptiveField[];
  byName: Record<string, LayerReceptiveField>;
}

interface State {
  axes: AxisReceptiveField[];
  collapsed: boolean;
  source: string;
  /** The first misaligned merge upstream (see LayerReceptiveField.misalignment). */
  misalignment?: string;
}

type Outcome = { state: State } | { reason: string };

const centreOf = (a: AxisReceptiveField) => -a.padding + (a.size - 1) / 2;

function compose(outer: AxisReceptiveField, inner: AxisReceptiveField): AxisReceptiveField {
  return {
    size: outer.size + (inner.size - 1) * outer.jump,
    jump: outer.jump * inner.jump,
    padding: outer.padding + inner.padding * outer.jump,
  };
}

/** Fields of a layer that gathers its whole (spatial) input into one unit. */
function collapse(state: State, input: Shape, node: LayerNode): Outcome {
  if (state.collapsed) return { state };
  const lengths = spatialDims(input, node.geometry.dataFormat);
  if (lengths.some((n) => n === null)) {
    return { reason: 'the input size is unknown, so the extent of the whole input is unknown' };
  }
  const axes = state.axes.map((a, i) =>
    compose(a, { size: lengths[i] as number, jump: 1, padding: 0 }),
  );
  return { state: { ...state, axes, collapsed: true } };
}

function windowed(state: State, input: Shape, node: LayerNode): Outcome {
  if (state.collapsed)
    return { reason: 'its input has no spatial layout left (after Flatten or global pooling)' };
  const inSpatial = spatialDims(input, node.geometry.dataFormat);
  if (inSpatial.length !== state.axes.length) {
    return {
      reason: `expects ${inSpatial.length} spatial axes but its input has ${state.axes.length}`,
    };
  }
  const windows = axisWindows(node.kind, node.geometry, inSpatial);
  if (windows === null) return { reason: 'not a windowed layer' };
  if (typeof windows === 'string') return { reason: windows };
  const axes = state.axes.map((a, i) =>
    compose(a, {
      size: windows[i].effectiveKernel,
      jump: windows[i].stride,
      padding: windows[i].padBefore,
    }),
  );
  return { state: { ...state, axes } };
}

function permute(state: State, input: Shape, node: LayerNode): Outcome {
  // dims is a permutation of the non-batch axes, 1-based; positions stay if the spatial ones stay.
  const dims = node.geometry.permuteDims ?? [];
  const spatial = state.collapsed ? 0 : input.length - 1;
  return dims.slice(0, spatial).every((d, i) => d === i + 1)
    ? { state }
    : { reason: `${node.className} moves spatial axes` };
}

function reshape(state: State, input: Shape, output: Shape | null, node: LayerNode): Outcome {
  if (!output) return { reason: 'the layer has several outputs' };
  if (state.collapsed) {
    return output.length === 1
      ? { state }
      : { reason: 'Reshape gives a spatial layout back to a flattened vector' };
  }
  if (output.length === 1) return collapse(state, input, node);
  const inSpatial = input.slice(0, -1);
  // Positions stay when the spatial dims lead the new shape unchanged and only channels regroup.
  const keepsPositions =
    output.length > inSpatial.length && inSpatial.every((d, i) => d !== null && d === output[i]);
  return keepsPositions ? { state } : { reason: 'Reshape rearranges spatial positions' };
}

function merge(states: State[], node: LayerNode, warnings: string[]): Outcome {
  const rank = node.inputShapes[0]?.length ?? 0;
  const axis = node.geometry.axis?.[0] ?? -1;
  const concatenates = layerCapabilities(node.className).mergeOp === 'concatenate';
  if (concatenates && axis !== -1 && axis !== rank) {
    return { reason: `${node.className} joins along axis ${axis}, a spatial axis` };
  }
  if (new Set(states.map((s) => s.source)).size > 1) {
    warnings.push('its branches come from different model inputs; the fields refer to the first');
  }
  if (new Set(states.map((s) => s.collapsed)).size > 1) {
    warnings.push('some branches are flattened and others are not');
  }
  const misaligned: string[] = [];
  const axes = states[0].axes.map((_, i) => {
    const candidates = states.map((s) => s.axes[i]);
    const jumps = new Set(candidates.map((a) => a.jump));
    const centres = new Set(candidates.map(centreOf));
    if (jumps.size > 1 || centres.size > 1) {
      const desc = candidates
        .map((a, b) => `${node.inbound[b]}: jump ${a.jump}, unit 0 centred at ${centreOf(a)}`)
        .join('; ');
      misaligned.push(`along axis ${i} (${desc})`);
    }
    return candidates.reduce((best, a) => (a.size > best.size ? a : best));
  });
  const misalignment = misaligned.length
    ? `the branches joined by '${node.name}' are misaligned ${misaligned.join(', ')}; the largest field is reported, but units of different branches do not look at the same place`
    : states.find((s) => s.misalignment)?.misalignment;
  return {
    state: {
      axes,
      collapsed: states.every((s) => s.collapsed),
      source: states[0].source,
      ...(misalignment ? { misalignment } : {}),
    },
  };
}

function nestedModel(state: State, input: Shape, node: LayerNode, warnings: string[]): Outcome {
  const inner = node.nested;
  if (!inner || inner.inputNames.length !== 1 || inner.outputNames.length !== 1) {
    return { reason: 'a nested model with several inputs or outputs is not analysed' };
  }
  const report = computeReceptiveFields(inner);
  const out = report.byName[inner.outputNames[0]];
  if (!out || out.axes === null)
    return { reason: `inside nested model: ${out?.reason ?? 'no output'}` };
  if (state.collapsed && !out.collapsed) return { state };
  const innerInput = inner.layers.find((l) => l.name === inner.inputNames[0])?.outputShape;
  if (innerInput && innerInput.some((d, i) => d !== input[i])) {
    warnings.push(
      'the nested model was built for another input size; its "same" paddings are those of that size',
    );
  }
  const axes = state.axes.map((a, i) => compose(a, out.axes![i]));
  return { state: { ...state, axes, collapsed: state.collapsed || out.collapsed } };
}

function step(node: LayerNode, inputs: State[], warnings: string[]): Outcome {
  const input = node.inputShapes[0];
  const state = inputs[0];
  switch (node.kind) {
    case 'conv':
    case 'depthwiseConv':
    case 'separableConv':
    case 'pooling':
    case 'zeroPadding':
    case 'cropping':
      return windowed(state, input, node);
    case 'globalPooling':
    case 'flatten':
      return collapse(state, input, node);
    case 'dense':
    case 'elementwise': {
      const axes = node.geometry.axis ?? [-1];
      const rank = input.length + 1;
      const touchesSpace = axes.some(
        (a) => a !== -1 && a !== rank - 1 && node.geometry.dataFormat === 'channelsLast',
      );
      const keepsApart = layerCapabilities(node.className).keepsAxisApart === true;
      if (touchesSpace && !keepsApart && !state.collapsed) {
        warnings.push(
          `${node.className} works across axis ${axes.join(', ')}, which mixes positions; treated as position-preserving`,
        );
      }
      return { state };
    }
    case 'reshape':
      return reshape(state, input, node.outputShape, node);
    case 'permute':
      return permute(state, input, node);
    case 'merge':
      return merge(inputs, node, warnings);
    case 'model':
      return nestedModel(state, input, node, warnings);
    default:
      return {
        reason:
          node.unsupportedReason ??
          `${node.className} cannot be described by receptive-field arithmetic`,
      };
  }
}

function outcomeFor(
  node: LayerNode,
  done: Map<string, Outcome>,
  nodes: Map<string, LayerNode>,
  warnings: string[],
): Outcome {
  if (node.kind === 'input') {
    const shape = node.outputShape ?? [];
    const axes = shape.slice(0, -1).map(() => ({ size: 1, jump: 1, padding: 0 }));
    return { state: { axes, collapsed: false, source: node.name } };
  }
  if (node.outputShapes.length > 1) {
    return {
      reason: `the layer has ${node.outputShapes.length} outputs; fields are tracked for single-output layers only`,
    };
  }
  if (node.inbound.length === 0) return { reason: 'the layer has no inbound layer in this model' };
  const states: State[] = [];
  for (let i = 0; i < node.inbound.length; i++) {
    const name = node.inbound[i];
    const from = nodes.get(name);
    const prior = done.get(name);
    if (!from || !prior) return { reason: `inbound layer '${name}' is not part of the model` };
    if (node.inboundApplication[i] > 0) {
      return {
        reason: `its input is application ${node.inboundApplication[i] + 1} of the shared layer '${name}'; fields are tracked for first applications only`,
      };
    }
    if ('reason' in prior) {
      const root = prior.reason.startsWith('downstream of ')
        ? prior.reason
        : `downstream of '${name}' (${from.className}): ${prior.reason}`;
      return { reason: root };
    }
    states.push(prior.state);
  }
  return step(node, states, warnings);
}

/** Receptive field of every layer of the graph (model.layers order). */
export function computeReceptiveFields(graph: LayerGraph): ReceptiveFieldReport {
  const nodes = new Map(graph.layers.map((l) => [l.name, l]));
  const done = new Map<string, Outcome>();
  const layers: LayerReceptiveField[] = [];
  for (const node of graph.layers) {
    const newWarnings: string[] = [];
    const outcome = outcomeFor(node, done, nodes, newWarnings);
    done.set(node.name, outcome);
    const ok = 'state' in outcome ? outcome.state : null;
    const output = node.outputShape;
    layers.push({
      name: node.name,
      className: node.className,
      axes: ok ? ok.axes : null,
      ...('reason' in outcome ? { reason: outcome.reason } : {}),
      collapsed: ok?.collapsed ?? false,
      outputSize:
        ok && !ok.collapsed && output
          ? spatialDims(output, node.kind === 'input' ? 'channelsLast' : node.geometry.dataFormat)
          : null,
      sourceInput: ok?.source ?? null,
      ...(ok?.misalignment ? { misalignment: ok.misalignment } : {}),
      warnings: [...node.warnings, ...newWarnings, ...(ok?.misalignment ? [ok.misalignment] : [])],
    });
  }
  const firstInput = graph.layers.find((l) => l.name === graph.inputNames[0]);
  return {
    inputSize: firstInput?.outputShape ? firstInput.outputShape.slice(0, -1) : null,
    layers,
    byName: Object.fromEntries(layers.map((l) => [l.name, l])),
  };
}
