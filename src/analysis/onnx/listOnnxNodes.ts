/**
 * The nodes of an ONNX file that become layers, without building the model: what the explorer
 * lists before the model has run.
 */
import { readRegularFile } from '../regularFile';
import { stat } from 'node:fs/promises';
import { parseOnnx } from './parseOnnx';
import { FOLDED_OPS } from './names';
import { errorMessage } from '../errors';

/** Above this the explorer waits for the worker's run instead of parsing in the extension host. */
const MAX_LIST_BYTES = 256 * 1024 * 1024;

export interface OnnxNodeListing {
  nodes: { name: string; opType: string }[];
  /** Why the nodes are not listed (too large, unreadable). */
  note?: string;
}

export async function listOnnxNodes(file: string): Promise<OnnxNodeListing> {
  try {
    const { size } = await stat(file);
    if (size > MAX_LIST_BYTES) {
      return { nodes: [], note: `${Math.round(size / 1e6)} MB: visualize it to list its layers` };
    }
    // readRegularFile: a named pipe or device named .onnx must not block the extension host.
    const graph = parseOnnx(await readRegularFile(file, { maxBytes: MAX_LIST_BYTES }), file);
    const nodes = graph.nodes.filter((n) => !FOLDED_OPS.has(n.opType) && n.opType !== 'Dropout');
    return { nodes: nodes.map((n) => ({ name: n.name, opType: n.opType })) };
  } catch (error) {
    return { nodes: [], note: errorMessage(error) };
  }
}
