import { InspectorError } from '../errors';
import type { GraphNode } from './graph';

/** One line naming the file, the node (as in the file), its op and the opset: never a wrong number. */
export function nodeError(
  node: Pick<GraphNode, 'opType' | 'site'>,
  opset: number,
  detail: string,
): InspectorError {
  return new InspectorError(
    'onnx',
    `${node.site.file}: node '${node.site.nodeName}' (${node.opType}, opset ${opset}): ${detail}`,
  );
}

export function fileError(file: string, detail: string): InspectorError {
  return new InspectorError('onnx', `${file}: ${detail}`);
}
