/**
 * ONNX protobuf bytes -> ModelGraph, with onnx-proto (ONNX's own .proto compiled by protobufjs):
 * no hand-written wire-format parsing. Float weights stay views into the file's bytes when aligned.
 */
import { onnx } from 'onnx-proto';
import { fileError } from './onnxErrors';
import type {
  AttributeValue,
  ConstantTensor,
  ElementKind,
  GraphNode,
  ModelGraph,
  ValueInfo,
} from './graph';
import { constantSize } from './graph';
import { readableNodeNames } from './names';
import { errorMessage } from '../errors';

const DataType = onnx.TensorProto.DataType;
const AttrType = onnx.AttributeProto.AttributeType;

type Int64 = number | { toNumber(): number };

function toNumber(value: Int64 | null | undefined): number {
  if (value === null || value === undefined) return 0;
  return typeof value === 'number' ? value : value.toNumber();
}

export function parseOnnx(bytes: Uint8Array, file: string): ModelGraph {
  let model: onnx.ModelProto;
  try {
    model = onnx.ModelProto.decode(bytes);
  } catch (error) {
    const why = errorMessage(error);
    throw fileError(file, `not a readable ONNX model (truncated or not ONNX: ${why}).`);
  }
  const graph = model.graph;
  if (!graph || !graph.node?.length || !model.opsetImport?.length) {
    throw fileError(file, 'not an ONNX model (no graph, nodes or opset in the file).');
  }
  const defaultOpset = model.opsetImport.find((o) => !o.domain || o.domain === 'ai.onnx');
  const opset = toNumber(defaultOpset?.version);
  const constants = new Map<string, ConstantTensor>();
  for (const init of graph.initializer ?? []) {
    constants.set(init.name ?? '', toConstant(init, file));
  }
  const names = readableNodeNames(
    graph.node.map((n, i) => ({ name: n.name || `${n.opType}_${i}`, opType: n.opType ?? '' })),
  );
  const nodes: GraphNode[] = graph.node.map((n, index) => ({
    name: names[index],
    opType: n.opType ?? '',
    domain: n.domain === 'ai.onnx' ? '' : (n.domain ?? ''),
    inputs: [...(n.input ?? [])],
    outputs: [...(n.output ?? [])],
    attributes: attributesOf(n.attribute ?? [], file),
    site: { file, nodeName: n.name || `${n.opType}_${index}`, index },
  }));
  for (const node of nodes) {
    if (node.attributes.size === 0 && node.opType === '') {
      throw fileError(file, `node ${node.site.index} has no op type: not an ONNX model.`);
    }
  }
  return {
    file,
    opset,
    producer: [model.producerName, model.producerVersion].filter(Boolean).join(' '),
    inputs: (graph.input ?? []).filter((v) => !constants.has(v.name ?? '')).map(valueInfo),
    outputs: (graph.output ?? []).map(valueInfo),
    nodes,
    constants,
  };
}

function valueInfo(v: onnx.IValueInfoProto): ValueInfo {
  const tensor = v.type?.tensorType;
  const dims = (tensor?.shape?.dim ?? []).map((d) =>
    d.dimValue !== undefined && d.dimValue !== null && toNumber(d.dimValue) > 0
      ? toNumber(d.dimValue)
      : d.dimParam || null,
  );
  return { name: v.name ?? '', kind: elementKind(tensor?.elemType ?? 0), dims };
}

function elementKind(type: number): ElementKind {
  switch (type) {
    case DataType.FLOAT:
    case DataType.DOUBLE:
    case DataType.FLOAT16:
    case DataType.BFLOAT16:
      return 'float';
    case DataType.BOOL:
      return 'bool';
    case DataType.INT8:
    case DataType.INT16:
    case DataType.INT32:
    case DataType.INT64:
    case DataType.UINT8:
    case DataType.UINT16:
    case DataType.UINT32:
    case DataType.UINT64:
      return 'int';
    default:
      return 'other';
  }
}

export function toConstant(t: onnx.ITensorProto, file: string): ConstantTensor {
  const dims = (t.dims ?? []).map(toNumber);
  const count = constantSize(dims);
  const type = t.dataType ?? 0;
  const name = t.name ? `tensor '${t.name}'` : 'a tensor';
  if (t.dataLocation === onnx.TensorProto.DataLocation.EXTERNAL) {
    throw fileError(file, `${name} is stored in an external data file, which is not supported.`);
  }
  const raw = t.rawData && t.rawData.length > 0 ? t.rawData : undefined;
  if (raw && type === DataType.FLOAT && raw.byteLength === count * 4 && LITTLE_ENDIAN) {
    return raw.byteOffset % 4 === 0
      ? // A view, not a copy: the weights are copied once, into the model's layout.
        { dims, kind: 'float', data: new Float32Array(raw.buffer, raw.byteOffset, count) }
      : unalignedFloats(dims, raw);
  }
  const data = raw ? fromRaw(raw, type, count) : fromFields(t, type);
  if (!data) {
    throw fileError(
      file,
      `${name} has element type ${DataType[type] ?? type}, which the import does not read.`,
    );
  }
  if (data.length !== count) {
    throw fileError(
      file,
      `${name} holds ${data.length} values for shape [${dims.join(', ')}] (truncated or corrupt file).`,
    );
  }
  return { dims, kind: elementKind(type), data };
}

const LITTLE_ENDIAN = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;

/** Float32 bytes at an offset Float32Array cannot view: copied (memcpy) when read; see graph.ts. */
function unalignedFloats(dims: number[], raw: Uint8Array): ConstantTensor {
  const copy = () => {
    const bytes = new Uint8Array(raw.byteLength);
    bytes.set(raw);
    return new Float32Array(bytes.buffer);
  };
  let kept: Float32Array | undefined;
  return {
    dims,
    kind: 'float',
    get data() {
      kept ??= copy();
      return kept;
    },
    readOnce: () => (kept ? kept.slice() : copy()),
  };
}

function fromRaw(
  raw: Uint8Array,
  type: number,
  count: number,
): Float32Array | Float64Array | undefined {
  const view = new DataView(raw.buffer, raw.byteOffset, raw.byteLength);
  const read = (
    size: number,
    get: (offset: number) => number,
    out: Float32Array | Float64Array,
  ) => {
    if (raw.byteLength !== count * size) return out.subarray(0, Math.floor(raw.byteLength / size));
    for (let i = 0; i < count; i++) out[i] = get(i * size);
    return out;
  };
  switch (type) {
    case DataType.FLOAT:
      return read(4, (o) => view.getFloat32(o, true), new Float32Array(count));
    case DataType.DOUBLE:
      return read(8, (o) => view.getFloat64(o, true), new Float32Array(count));
    case DataType.INT64:
      return read(8, (o) => Number(view.getBigInt64(o, true)), new Float64Array(count));
    case DataType.INT32:
      return read(4, (o) => view.getInt32(o, true), new Float64Array(count));
    case DataType.UINT8:
    case DataType.BOOL:
      return read(1, (o) => view.getUint8(o), new Float64Array(count));
    case DataType.INT8:
      return read(1, (o) => view.getInt8(o), new Float64Array(count));
    default:
      return undefined;
  }
}

function fromFields(t: onnx.ITensorProto, type: number): Float32Array | Float64Array | undefined {
  switch (type) {
    case DataType.FLOAT:
      return Float32Array.from(t.floatData ?? []);
    case DataType.DOUBLE:
      return Float32Array.from(t.doubleData ?? []);
    case DataType.INT64:
      return Float64Array.from((t.int64Data ?? []) as Int64[], toNumber);
    case DataType.INT32:
    case DataType.INT8:
    case DataType.UINT8:
    case DataType.INT16:
    case DataType.UINT16:
    case DataType.BOOL:
      return Float64Array.from(t.int32Data ?? []);
    default:
      return undefined;
  }
}

function attributesOf(
  attributes: onnx.IAttributeProto[],
  file: string,
): Map<string, AttributeValue> {
  const out = new Map<string, AttributeValue>();
  for (const a of attributes) {
    const value = attributeValue(a, file);
    if (value !== undefined) out.set(a.name ?? '', value);
  }
  return out;
}

function attributeValue(a: onnx.IAttributeProto, file: string): AttributeValue | undefined {
  switch (a.type) {
    case AttrType.FLOAT:
      return a.f ?? 0;
    case AttrType.INT:
      return toNumber(a.i as Int64);
    case AttrType.STRING:
      return new TextDecoder().decode(a.s ?? new Uint8Array());
    case AttrType.TENSOR:
      return a.t ? toConstant(a.t, file) : undefined;
    case AttrType.FLOATS:
      return [...(a.floats ?? [])];
    case AttrType.INTS:
      return ((a.ints ?? []) as Int64[]).map(toNumber);
    case AttrType.STRINGS:
      return (a.strings ?? []).map((s) => new TextDecoder().decode(s));
    default:
      return undefined; // graphs and sparse tensors: the ops that use them are refused later
  }
}
