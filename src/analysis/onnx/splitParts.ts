/**
 * ONNX Split (PyTorch's `torch.split`, `chunk` at some opsets) has several outputs; the import's
 * nodes have one. foldGraph replaces a Split of a computed value by one node per output, each
 * keeping the op, the file's site (for messages) and the part it takes along the axis, named
 * `<node>.out0`, `<node>.out1`... Each part becomes a layer that takes a range of channels
 * (translateChannelOps.ts), so every branch fed by the split reads its own part.
 */
import type { AttributeValue, ConstantTensor, GraphNode } from './graph';
import { intAttr, intsAttr } from './attributes';
import { nodeError } from './onnxErrors';

/** The attribute a part node carries: [start, end) along `axis`. */
export const SPLIT_PART = 'cnn_inspector.part';

/** The part sizes: the `split` input (opset 13+) or attribute, or equal parts (`num_outputs` at 18). */
function partSizes(
  node: GraphNode,
  opset: number,
  length: number,
  split: ConstantTensor | undefined,
): number[] {
  const given = split ? Array.from(split.data) : intsAttr(node, 'split');
  if (node.inputs[1] && !split) {
    throw nodeError(node, opset, 'its split sizes (input 1) must be constant.');
  }
  const count = node.outputs.length;
  let sizes: number[];
  if (given && given.length > 0) sizes = given;
  else {
    // Equal parts; opset 18's num_outputs lets the last one be smaller (ceil).
    const each = Math.ceil(length / count);
    sizes = Array.from({ length: count }, (_, i) => Math.min(each, length - i * each));
  }
  if (
    sizes.length !== count ||
    sizes.some((s) => s < 0) ||
    sizes.reduce((a, b) => a + b, 0) !== length
  ) {
    throw nodeError(
      node,
      opset,
      `split sizes [${sizes.join(', ')}] do not divide the ${length} elements along its axis into ${count} outputs.`,
    );
  }
  return sizes;
}

/** One single-output node per part of a Split of a value of shape `shape`. */
export function splitParts(
  node: GraphNode,
  opset: number,
  shape: number[],
  split: ConstantTensor | undefined,
): GraphNode[] {
  const rawAxis = intAttr(node, 'axis', 0);
  const axis = rawAxis < 0 ? rawAxis + shape.length : rawAxis;
  if (axis < 0 || axis >= shape.length) {
    throw nodeError(node, opset, `axis ${rawAxis} is outside its [${shape.join(', ')}] input.`);
  }
  const sizes = partSizes(node, opset, shape[axis], split);
  let start = 0;
  return node.outputs.map((output, i) => {
    const part: GraphNode = {
      ...node,
      name: `${node.name}.out${i}`,
      inputs: [node.inputs[0]],
      outputs: [output],
      attributes: new Map<string, AttributeValue>([
        ['axis', axis],
        [SPLIT_PART, [start, start + sizes[i]]],
      ]),
    };
    start += sizes[i];
    return part;
  });
}

/** The output shape of a part node. */
export function splitPartShape(node: GraphNode, shape: number[]): number[] {
  const axis = intAttr(node, 'axis', 0);
  const [start, end] = intsAttr(node, SPLIT_PART) ?? [0, shape[axis]];
  return shape.map((d, a) => (a === axis ? end - start : d));
}
