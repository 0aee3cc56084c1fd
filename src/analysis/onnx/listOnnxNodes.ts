/**
 * The nodes of an ONNX file that become layers, without building the model: what the explorer
 * lists before the model has run. The graph is folded as the import folds it (constant chains,
 * Identity and Dropout gone, ShuffleNet's Reshape/Transpose/Reshape as one channel shuffle,
 * ConvNeXt's decomposed LayerNorm, GELU and Linear as one node each), so
 * each entry is one layer of the panel's list, under the same name.
 */
import { readRegularFile } from '../regularFile';
import { stat } from 'node:fs/promises';
import { parseOnnx } from './parseOnnx';
import { foldGraph } from './foldGraph';
import { FOLDED_OPS } from './names';
import { CHANNEL_SHUFFLE_OP, INTERNAL_DOMAIN } from './channelShuffle';
import { CHANNEL_PICK_OP, GELU_OP, MATMUL_ADD_OP } from './fuseDecomposedOps';
import type { GraphNode, ModelGraph } from './graph';
import { errorMessage } from '../errors';

/** Above this the explorer waits for the worker's run instead of parsing in the extension host. */
const MAX_LIST_BYTES = 256 * 1024 * 1024;

export interface OnnxNodeListing {
  /** `opType`: the ONNX op, or what a folded node stands for (`channel shuffle`). */
  nodes: { name: string; opType: string }[];
  /** Why the nodes are not listed (too large, unreadable). */
  note?: string;
}

/** How the folding's own nodes read in the list: what they are and which ONNX ops they were. */
const FOLDED_NODE_LABELS: Record<string, string> = {
  [CHANNEL_SHUFFLE_OP]: 'channel shuffle (Reshape, Transpose, Reshape)',
  [GELU_OP]: 'GELU (Div, Erf, Add, Mul, Mul)',
  [MATMUL_ADD_OP]: 'Linear (MatMul, Add)',
  [CHANNEL_PICK_OP]: 'one channel (Gather, Unsqueeze)',
};

function label(node: GraphNode): string {
  return node.domain === INTERNAL_DOMAIN
    ? (FOLDED_NODE_LABELS[node.opType] ?? node.opType)
    : node.opType;
}

/**
 * The folded graph's nodes; a file the folding refuses (free image size, an op the import lacks)
 * lists its raw nodes instead, and the model's run says what is wrong.
 */
function layerNodes(graph: ModelGraph): GraphNode[] {
  try {
    return foldGraph(graph).nodes;
  } catch {
    return graph.nodes.filter((n) => !FOLDED_OPS.has(n.opType) && n.opType !== 'Dropout');
  }
}

export async function listOnnxNodes(file: string): Promise<OnnxNodeListing> {
  try {
    const { size } = await stat(file);
    if (size > MAX_LIST_BYTES) {
      return { nodes: [], note: `${Math.round(size / 1e6)} MB: visualize it to list its layers` };
    }
    // readRegularFile: a named pipe or device named .onnx must not block the extension host.
    const graph = parseOnnx(await readRegularFile(file, { maxBytes: MAX_LIST_BYTES }), file);
    return { nodes: layerNodes(graph).map((n) => ({ name: n.name, opType: label(n) })) };
  } catch (error) {
    return { nodes: [], note: errorMessage(error) };
  }
}
