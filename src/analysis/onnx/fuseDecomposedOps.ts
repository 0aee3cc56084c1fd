/**
 * Ops that exports write as several elementary nodes become one node again, so the model has one
 * layer where the user wrote one module (and the per-layer counts and names follow the module):
 * - LayerNorm over the last axis before opset 17: ReduceMean, Sub, Pow 2, ReduceMean, Add eps,
 *   Sqrt, Div, then Mul by the scale and Add of the bias -> LayerNormalization (opset 17's op).
 * - GELU (erf form, `nn.GELU()`): Div by sqrt 2, Erf, Add 1, Mul by x, Mul by 0.5 -> Gelu (of the
 *   import's own domain: ONNX has Gelu only from opset 20).
 * - A Linear on a channels-last image (ConvNeXt's pointwise layers): MatMul by a constant, then
 *   Add of a constant bias -> MatMulAdd (one dense layer with its bias).
 * - One channel taken out of an image (Inception v3's transform_input, `x[:, 0]` then
 *   `unsqueeze(1)`): Gather of a scalar index along axis 1, Unsqueeze of axis 1 -> ChannelPick
 *   (the channel slice ShuffleNet's split uses).
 * A pattern is fused only when its intermediate values have no other reader; the fused node keeps
 * the last node's place in the file for messages.
 */
import type { ConstantTensor, GraphNode } from './graph';
import { constantSize } from './graph';
import { intAttr, intsAttr } from './attributes';
import { INTERNAL_DOMAIN } from './channelShuffle';

export const GELU_OP = 'Gelu';
export const MATMUL_ADD_OP = 'MatMulAdd';
export const CHANNEL_PICK_OP = 'ChannelPick';

interface FusionContext {
  constants: Map<string, ConstantTensor>;
  shapes: Map<string, number[]>;
  /** The nodes reading a value (graph outputs count as a reader no node is). */
  readersOf(value: string): GraphNode[];
  /** The single node reading `value`, if it has exactly one reader of op `opType`. */
  only(value: string, opType: string): GraphNode | undefined;
  names: Set<string>;
}

/** A fusion: the nodes it replaces (the last one's place) and the node that replaces them. */
interface Fused {
  nodes: GraphNode[];
  node: GraphNode;
}

export function fuseDecomposedOps(
  nodes: GraphNode[],
  shapes: Map<string, number[]>,
  constants: Map<string, ConstantTensor>,
  graphOutputs: string[],
): GraphNode[] {
  const readers = new Map<string, GraphNode[]>();
  for (const node of nodes) {
    for (const input of node.inputs) readers.set(input, [...(readers.get(input) ?? []), node]);
  }
  const readersOf = (value: string) => readers.get(value) ?? [];
  const ctx: FusionContext = {
    constants,
    shapes,
    readersOf,
    only(value, opType) {
      const list = readersOf(value);
      const single = list.length === 1 && !graphOutputs.includes(value);
      return single && list[0].opType === opType && list[0].domain === '' ? list[0] : undefined;
    },
    names: new Set(nodes.map((n) => n.name)),
  };
  const replaced = new Map<GraphNode, GraphNode | null>();
  for (const node of nodes) {
    if (replaced.has(node) || node.domain !== '') continue;
    const fused =
      node.opType === 'ReduceMean'
        ? layerNorm(ctx, node)
        : node.opType === 'Div'
          ? gelu(ctx, node)
          : node.opType === 'MatMul'
            ? matMulAdd(ctx, node)
            : node.opType === 'Gather'
              ? channelPick(ctx, node)
              : undefined;
    if (!fused || fused.nodes.some((n) => replaced.has(n))) continue;
    for (const n of fused.nodes) replaced.set(n, null);
    replaced.set(fused.nodes[fused.nodes.length - 1], fused.node);
  }
  return nodes.flatMap((n) => {
    const r = replaced.get(n);
    return r === undefined ? [n] : r === null ? [] : [r];
  });
}

function scalarConstant(ctx: FusionContext, name: string | undefined): number | undefined {
  const c = name ? ctx.constants.get(name) : undefined;
  return c && constantSize(c.dims) === 1 ? c.data[0] : undefined;
}

/** The other input of a binary node whose one input is `value`. */
function otherInput(node: GraphNode, value: string): string | undefined {
  if (node.inputs[0] === value) return node.inputs[1];
  if (node.inputs[1] === value) return node.inputs[0];
  return undefined;
}

/** `<scope>.<op>` for a fused node whose last node carries only an op's name (`stem.1.Add_2`). */
function fusedName(ctx: FusionContext, last: GraphNode, op: string): string {
  const scoped = /^(.*)\.(Add|Mul|Div|Sub)(_\d+)?$/.exec(last.name);
  if (!scoped) return last.name;
  let name = `${scoped[1]}.${op}`;
  for (let k = 2; ctx.names.has(name); k++) name = `${scoped[1]}.${op}_${k}`;
  ctx.names.add(name);
  return name;
}

function isLastAxis(node: GraphNode, ctx: FusionContext, rank: number): boolean {
  const axes = node.inputs[1] ? ctx.constants.get(node.inputs[1])?.data : intsAttr(node, 'axes');
  if (!axes || axes.length !== 1 || intAttr(node, 'keepdims', 1) !== 1) return false;
  return axes[0] === -1 || axes[0] === rank - 1;
}

function layerNorm(ctx: FusionContext, mean: GraphNode): Fused | undefined {
  const x = mean.inputs[0];
  const shape = ctx.shapes.get(x);
  if (!shape || !isLastAxis(mean, ctx, shape.length)) return undefined;
  const sub = ctx.only(mean.outputs[0], 'Sub');
  if (!sub || sub.inputs[0] !== x || sub.inputs[1] !== mean.outputs[0]) return undefined;
  const centred = ctx.readersOf(sub.outputs[0]);
  const pow = centred.find((n) => n.opType === 'Pow');
  const div = centred.find((n) => n.opType === 'Div');
  if (centred.length !== 2 || !pow || !div || scalarConstant(ctx, pow.inputs[1]) !== 2) return;
  const variance = ctx.only(pow.outputs[0], 'ReduceMean');
  if (!variance || !isLastAxis(variance, ctx, shape.length)) return undefined;
  const addEps = ctx.only(variance.outputs[0], 'Add');
  const epsilon = addEps && scalarConstant(ctx, otherInput(addEps, variance.outputs[0]));
  const sqrt = addEps && ctx.only(addEps.outputs[0], 'Sqrt');
  if (epsilon === undefined || !sqrt || ctx.only(sqrt.outputs[0], 'Div') !== div) return;
  if (div.inputs[0] !== sub.outputs[0] || div.inputs[1] !== sqrt.outputs[0]) return undefined;
  const chain = [mean, sub, pow, variance, addEps!, sqrt, div];
  const channels = shape[shape.length - 1];
  const perChannel = (node: GraphNode | undefined, from: string) => {
    const name = node && otherInput(node, from);
    const c = name ? ctx.constants.get(name) : undefined;
    return c && constantSize(c.dims) === channels && c.dims[c.dims.length - 1] === channels
      ? name
      : undefined;
  };
  const mul = ctx.only(div.outputs[0], 'Mul');
  const scale = perChannel(mul, div.outputs[0]);
  if (scale) chain.push(mul!);
  const add = scale ? ctx.only(mul!.outputs[0], 'Add') : undefined;
  const bias = perChannel(add, mul?.outputs[0] ?? '');
  if (bias) chain.push(add!);
  const last = chain[chain.length - 1];
  return {
    nodes: chain,
    node: {
      name: fusedName(ctx, last, 'LayerNormalization'),
      opType: 'LayerNormalization',
      domain: '',
      inputs: [x, scale ?? '', bias ?? ''],
      outputs: [last.outputs[0]],
      attributes: new Map([
        ['axis', -1],
        ['epsilon', epsilon],
      ]),
      site: last.site,
    },
  };
}

function gelu(ctx: FusionContext, div: GraphNode): Fused | undefined {
  const x = div.inputs[0];
  const root2 = scalarConstant(ctx, div.inputs[1]);
  if (root2 === undefined || Math.abs(root2 - Math.SQRT2) > 1e-6) return undefined;
  const erf = ctx.only(div.outputs[0], 'Erf');
  const addOne = erf && ctx.only(erf.outputs[0], 'Add');
  if (!addOne || scalarConstant(ctx, otherInput(addOne, erf!.outputs[0])) !== 1) return;
  const mul = ctx.only(addOne.outputs[0], 'Mul');
  if (!mul || otherInput(mul, addOne.outputs[0]) !== x) return undefined;
  const half = ctx.only(mul.outputs[0], 'Mul');
  if (!half || scalarConstant(ctx, otherInput(half, mul.outputs[0])) !== 0.5) return undefined;
  return {
    nodes: [div, erf!, addOne, mul, half],
    node: {
      name: fusedName(ctx, half, GELU_OP),
      opType: GELU_OP,
      domain: INTERNAL_DOMAIN,
      inputs: [x],
      outputs: [half.outputs[0]],
      attributes: new Map(),
      site: half.site,
    },
  };
}

function matMulAdd(ctx: FusionContext, matMul: GraphNode): Fused | undefined {
  const weights = ctx.constants.get(matMul.inputs[1]);
  if (!weights || weights.dims.length !== 2) return undefined;
  const add = ctx.only(matMul.outputs[0], 'Add');
  const biasName = add && otherInput(add, matMul.outputs[0]);
  const bias = biasName ? ctx.constants.get(biasName) : undefined;
  if (!bias || bias.dims.length !== 1 || bias.dims[0] !== weights.dims[1]) return undefined;
  return {
    nodes: [matMul, add!],
    node: {
      name: add!.name,
      opType: MATMUL_ADD_OP,
      domain: INTERNAL_DOMAIN,
      inputs: [matMul.inputs[0], matMul.inputs[1], biasName!],
      outputs: [add!.outputs[0]],
      attributes: new Map(),
      site: add!.site,
    },
  };
}

function channelPick(ctx: FusionContext, gather: GraphNode): Fused | undefined {
  const shape = ctx.shapes.get(gather.inputs[0]);
  const index = ctx.constants.get(gather.inputs[1]);
  if (!shape || shape.length !== 4 || !index || index.dims.length !== 0) return undefined;
  const axis = intAttr(gather, 'axis', 0);
  if (axis !== 1 && axis !== -3) return undefined;
  const unsqueeze = ctx.only(gather.outputs[0], 'Unsqueeze');
  const axes = unsqueeze?.inputs[1]
    ? ctx.constants.get(unsqueeze.inputs[1])?.data
    : unsqueeze && intsAttr(unsqueeze, 'axes');
  if (!unsqueeze || !axes || axes.length !== 1 || (axes[0] !== 1 && axes[0] !== -3)) return;
  const channel = index.data[0] < 0 ? index.data[0] + shape[1] : index.data[0];
  return {
    nodes: [gather, unsqueeze],
    node: {
      name: gather.name,
      opType: CHANNEL_PICK_OP,
      domain: INTERNAL_DOMAIN,
      inputs: [gather.inputs[0]],
      outputs: [unsqueeze.outputs[0]],
      attributes: new Map([['channel', channel]]),
      site: gather.site,
    },
  };
}
