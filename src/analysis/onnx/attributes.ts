// Typed access to node attributes and the window geometry of Conv / ConvTranspose / pooling nodes.
import type { AttributeValue, ConstantTensor, GraphNode } from './graph';
import { nodeError } from './onnxErrors';

export function intAttr(node: GraphNode, name: string, fallback: number): number {
  const v = node.attributes.get(name);
  return typeof v === 'number' ? v : fallback;
}

export function floatAttr(node: GraphNode, name: string, fallback: number): number {
  return intAttr(node, name, fallback);
}

export function intsAttr(node: GraphNode, name: string): number[] | undefined {
  const v: AttributeValue | undefined = node.attributes.get(name);
  return Array.isArray(v) && v.every((x) => typeof x === 'number') ? (v as number[]) : undefined;
}

export function stringAttr(node: GraphNode, name: string, fallback: string): string {
  const v = node.attributes.get(name);
  return typeof v === 'string' ? v : fallback;
}

export function tensorAttr(node: GraphNode, name: string): ConstantTensor | undefined {
  const v = node.attributes.get(name);
  return v && typeof v === 'object' && 'dims' in v ? v : undefined;
}

/** Refuses attributes the translation does not implement, so nothing is silently ignored. */
export function checkAttributes(node: GraphNode, opset: number, known: string[]): void {
  for (const name of node.attributes.keys()) {
    if (!known.includes(name)) {
      throw nodeError(node, opset, `attribute '${name}' is not supported.`);
    }
  }
}

/** Spatial window of a Conv, ConvTranspose, MaxPool or AveragePool node on a 2-D input. */
export interface WindowGeometry {
  kernel: [number, number];
  strides: [number, number];
  dilations: [number, number];
  /** [top, bottom], [left, right], explicit (auto_pad resolved at the input size). */
  pads: [[number, number], [number, number]];
  /** PyTorch's ceil_mode: extra bottom/right rows so the last partial window counts. */
  ceilExtra: [number, number];
  outputSize: [number, number];
}

function pair(values: number[] | undefined, fallback: number, node: GraphNode, opset: number) {
  const v = values ?? [fallback, fallback];
  if (v.length !== 2) {
    throw nodeError(node, opset, `only 2-D windows are supported (got ${v.length} axes).`);
  }
  return [v[0], v[1]] as [number, number];
}

/**
 * A ConvTranspose's attributes with ONNX's defaults. Its pads crop the output rather than pad the
 * input, so windowGeometry does not apply.
 */
export function convTransposeAttributes(node: GraphNode) {
  return {
    groups: intAttr(node, 'group', 1),
    strides: (intsAttr(node, 'strides') ?? [1, 1]) as [number, number],
    dilations: (intsAttr(node, 'dilations') ?? [1, 1]) as [number, number],
    /** [top, left, bottom, right] */
    pads: intsAttr(node, 'pads') ?? [0, 0, 0, 0],
    outputPadding: (intsAttr(node, 'output_padding') ?? [0, 0]) as [number, number],
  };
}

export function windowGeometry(
  node: GraphNode,
  opset: number,
  inputSize: [number, number],
  kernelFromWeights?: [number, number],
): WindowGeometry {
  const kernel = kernelFromWeights ?? pair(intsAttr(node, 'kernel_shape'), 1, node, opset);
  const strides = pair(intsAttr(node, 'strides'), 1, node, opset);
  const dilations = pair(intsAttr(node, 'dilations'), 1, node, opset);
  const ceil = intAttr(node, 'ceil_mode', 0) === 1;
  const autoPad = stringAttr(node, 'auto_pad', 'NOTSET');
  const pads: [[number, number], [number, number]] = [
    [0, 0],
    [0, 0],
  ];
  const explicit = intsAttr(node, 'pads') ?? [0, 0, 0, 0];
  if (explicit.length !== 4) throw nodeError(node, opset, 'only 2-D pads are supported.');
  const outputSize: [number, number] = [0, 0];
  const ceilExtra: [number, number] = [0, 0];
  for (let axis = 0; axis < 2; axis++) {
    const span = (kernel[axis] - 1) * dilations[axis] + 1;
    const size = inputSize[axis];
    if (autoPad === 'SAME_UPPER' || autoPad === 'SAME_LOWER') {
      const out = Math.ceil(size / strides[axis]);
      const total = Math.max((out - 1) * strides[axis] + span - size, 0);
      const small = Math.floor(total / 2);
      pads[axis] = autoPad === 'SAME_UPPER' ? [small, total - small] : [total - small, small];
    } else if (autoPad === 'NOTSET') {
      pads[axis] = [explicit[axis], explicit[axis + 2]];
    } else if (autoPad !== 'VALID') {
      throw nodeError(node, opset, `auto_pad '${autoPad}' is not supported.`);
    }
    const padded = size + pads[axis][0] + pads[axis][1];
    let out = Math.floor((padded - span) / strides[axis]) + 1;
    if (ceil) {
      out = Math.ceil((padded - span) / strides[axis]) + 1;
      // PyTorch: the last window must start inside the input or the left padding.
      if ((out - 1) * strides[axis] >= size + pads[axis][0]) out -= 1;
      ceilExtra[axis] = Math.max((out - 1) * strides[axis] + span - padded, 0);
    }
    if (out < 1) {
      throw nodeError(
        node,
        opset,
        `the window (${span}) is larger than the padded input (${padded}) on axis ${axis + 2}.`,
      );
    }
    outputSize[axis] = out;
  }
  return { kernel, strides, dilations, pads, ceilExtra, outputSize };
}
