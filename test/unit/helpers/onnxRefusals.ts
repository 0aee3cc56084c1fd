/**
 * For the tests of what the ONNX import refuses: the refusal itself (one line naming the file, no
 * tensor leaked), and fixtures edited into refusals, since what PyTorch 1.13 never writes (an
 * attribute of a newer exporter, an op swapped for another) is made by changing one node of an
 * exported file.
 */
import { strict as assert } from 'node:assert';
import { readFileSync } from 'node:fs';
import * as tf from '@tensorflow/tfjs';
import { onnx } from 'onnx-proto';
import { loadOnnxFile } from '../../../src/analysis/onnx/loadOnnxModel';
import { InspectorError } from '../../../src/analysis/errors';

/** The message of the import's refusal of `file`, checked to be one line that names the file. */
export async function refusal(file: string): Promise<string> {
  const before = tf.memory().numTensors;
  const error = await loadOnnxFile(tf, file).then(
    () => assert.fail(`${file} was accepted`),
    (e: unknown) => e,
  );
  assert.ok(error instanceof InspectorError, String(error));
  assert.equal(error.kind, 'onnx');
  assert.ok(!error.message.includes('\n'), `one line: ${error.message}`);
  assert.ok(error.message.startsWith(file), `names the file: ${error.message}`);
  assert.equal(tf.memory().numTensors, before, 'tensors leaked');
  return error.message;
}

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
