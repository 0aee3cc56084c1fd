/**
 * ONNX fixtures edited for refusal tests: what PyTorch 1.13 never writes (an attribute of a newer
 * exporter, an op swapped for another) is made by changing one node of an exported file.
 */
import { readFileSync } from 'node:fs';
import { onnx } from 'onnx-proto';

type NodeProto = onnx.INodeProto;

/** The bytes of `file` with `edit` applied to its first node that `matches` (which must exist). */
export function editNode(
  file: string,
  matches: (node: NodeProto) => boolean,
  edit: (node: NodeProto) => void,
): Uint8Array {
  const model = onnx.ModelProto.decode(readFileSync(file));
  const node = model.graph?.node?.find(matches);
  if (!node) throw new Error(`${file}: no node to edit`);
  edit(node);
  return onnx.ModelProto.encode(model).finish();
}

/** The bytes of `file` with an integer attribute added to its first node that `matches`. */
export function withIntAttribute(
  file: string,
  matches: (node: NodeProto) => boolean,
  name: string,
  i: number,
): Uint8Array {
  return editNode(file, matches, (node) =>
    (node.attribute ??= []).push({ name, type: onnx.AttributeProto.AttributeType.INT, i }),
  );
}

/**
 * The bicubic Resize fixture (`bad/resize.onnx`: a convolution, then the Resize), refused by
 * excluding the pixels outside the image (exclude_outside=1, which PyTorch never writes).
 */
export function excludeOutsideResize(resizeFile: string): Uint8Array {
  return withIntAttribute(resizeFile, (n) => n.opType === 'Resize', 'exclude_outside', 1);
}
