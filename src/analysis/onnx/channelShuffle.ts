/**
 * ShuffleNet's channel shuffle as exports write it: Reshape [N, C, H, W] -> [N, g, C/g, H, W],
 * Transpose(0, 2, 1, 3, 4), Reshape back to [N, C, H, W]. The model is NHWC and 4-D; rather than
 * holding 5-D tensors, the three nodes become one node of the import's own domain, which the
 * builder makes one OnnxChannelShuffle layer (a permutation of the channels). The node keeps the
 * Transpose's place in the file for messages; intermediate values must have no other reader.
 */
import type { GraphNode } from './graph';
import { intsAttr } from './attributes';

/** Domain of the nodes the folding makes; ONNX's own ops are in domain ''. */
export const INTERNAL_DOMAIN = 'cnn-inspector';
export const CHANNEL_SHUFFLE_OP = 'ChannelShuffle';

export function fuseChannelShuffles(
  nodes: GraphNode[],
  shapes: Map<string, number[]>,
  graphOutputs: string[],
): GraphNode[] {
  const readers = new Map<string, GraphNode[]>();
  for (const node of nodes) {
    for (const input of node.inputs) readers.set(input, [...(readers.get(input) ?? []), node]);
  }
  const onlyReader = (value: string) => {
    const list = readers.get(value) ?? [];
    return list.length === 1 && !graphOutputs.includes(value) ? list[0] : undefined;
  };
  const names = new Set(nodes.map((n) => n.name));
  const replaced = new Map<GraphNode, GraphNode | null>();
  for (const first of nodes) {
    if (first.opType !== 'Reshape' || first.domain !== '') continue;
    const transpose = onlyReader(first.outputs[0]);
    const last = transpose && onlyReader(transpose.outputs[0]);
    if (!transpose || !last || transpose.opType !== 'Transpose' || last.opType !== 'Reshape')
      continue;
    const groups = shuffleGroups(
      shapes.get(first.inputs[0]),
      shapes.get(first.outputs[0]),
      intsAttr(transpose, 'perm'),
      shapes.get(last.outputs[0]),
    );
    if (groups === undefined) continue;
    const fused: GraphNode = {
      name: uniqueName(transpose.name.replace(/Transpose$/, 'channel_shuffle'), names),
      opType: CHANNEL_SHUFFLE_OP,
      domain: INTERNAL_DOMAIN,
      inputs: [first.inputs[0]],
      outputs: [last.outputs[0]],
      attributes: new Map([['groups', groups]]),
      site: transpose.site,
    };
    replaced.set(first, null).set(transpose, null).set(last, fused);
  }
  return nodes.flatMap((n) => {
    const r = replaced.get(n);
    return r === undefined ? [n] : r === null ? [] : [r];
  });
}

/** g when the three shapes and the permutation are exactly a channel shuffle, else undefined. */
function shuffleGroups(
  input: number[] | undefined,
  grouped: number[] | undefined,
  perm: number[] | undefined,
  output: number[] | undefined,
): number | undefined {
  if (!input || !grouped || !output || input.length !== 4 || grouped.length !== 5) return;
  const [n, c, h, w] = input;
  const [gn, g, perGroup, gh, gw] = grouped;
  const sameImage = gn === n && gh === h && gw === w && g * perGroup === c;
  const swapsGroups = perm?.join() === '0,2,1,3,4';
  if (sameImage && swapsGroups && output.join() === input.join()) return g;
  return undefined;
}

function uniqueName(wanted: string, taken: Set<string>): string {
  let name = wanted;
  for (let k = 2; taken.has(name); k++) name = `${wanted}_${k}`;
  taken.add(name);
  return name;
}
