/**
 * Builds an ONNX model in memory (nodes, float and int64 initializers, one float input, any number
 * of outputs) and serialises it with onnx-proto, the same schema package the ONNX import parses
 * with. Only what the native engine's translations need: float32 tensors, static shapes.
 */
import { onnx } from 'onnx-proto';

/** Default-domain opset of the graphs we write (ONNX Runtime 1.30 runs up to 22). */
export const OPSET = 17;
const IR_VERSION = 8;

/** An int, ints, a string, or a float (`{ f }`: ONNX tells INT from FLOAT attributes). */
export type Attribute = number | number[] | string | { f: number };

export class OnnxGraphBuilder {
  private readonly nodes: onnx.INodeProto[] = [];
  private readonly initializers: onnx.ITensorProto[] = [];
  private readonly outputs: onnx.IValueInfoProto[] = [];
  private readonly inputs: onnx.IValueInfoProto[] = [];
  private counter = 0;

  /** A fresh value name derived from `hint` (names must be unique in a graph). */
  fresh(hint: string): string {
    return `${hint}#${this.counter++}`;
  }

  addInput(name: string, shape: number[]): void {
    this.inputs.push(valueInfo(name, shape));
  }

  addOutput(name: string, shape: number[]): void {
    this.outputs.push(valueInfo(name, shape));
  }

  /** A float32 initializer; its name is made unique from `hint`. */
  floats(hint: string, dims: number[], values: Float32Array | number[]): string {
    const name = this.fresh(hint);
    const data = values instanceof Float32Array ? values : Float32Array.from(values);
    this.initializers.push({
      name,
      dims,
      dataType: onnx.TensorProto.DataType.FLOAT,
      rawData: new Uint8Array(data.buffer, data.byteOffset, data.byteLength),
    });
    return name;
  }

  /** An int64 initializer (shapes, pads, axes). */
  ints(hint: string, values: number[]): string {
    const name = this.fresh(hint);
    const data = BigInt64Array.from(values.map((v) => BigInt(v)));
    this.initializers.push({
      name,
      dims: [values.length],
      dataType: onnx.TensorProto.DataType.INT64,
      rawData: new Uint8Array(data.buffer),
    });
    return name;
  }

  /** Adds a node; returns its (first) output's name, `output` or a fresh one from `hint`. */
  node(
    opType: string,
    inputs: string[],
    hint: string,
    attributes: Record<string, Attribute | undefined> = {},
    output?: string,
  ): string {
    const out = output ?? this.fresh(hint);
    this.nodes.push({
      opType,
      input: inputs,
      output: [out],
      name: this.fresh(`${hint}/${opType}`),
      attribute: Object.entries(attributes)
        .filter(([, v]) => v !== undefined)
        .map(([key, v]) => attribute(key, v!)),
    });
    return out;
  }

  serialize(name: string): Uint8Array {
    const model = onnx.ModelProto.create({
      irVersion: IR_VERSION,
      producerName: 'cnn-inspector',
      opsetImport: [{ domain: '', version: OPSET }],
      graph: {
        name,
        node: this.nodes,
        initializer: this.initializers,
        input: this.inputs,
        output: this.outputs,
      },
    });
    return onnx.ModelProto.encode(model).finish();
  }
}

function valueInfo(name: string, shape: number[]): onnx.IValueInfoProto {
  return {
    name,
    type: {
      tensorType: {
        elemType: onnx.TensorProto.DataType.FLOAT,
        shape: { dim: shape.map((d) => ({ dimValue: d })) },
      },
    },
  };
}

function attribute(name: string, value: Attribute): onnx.IAttributeProto {
  const T = onnx.AttributeProto.AttributeType;
  if (typeof value === 'string') {
    return { name, type: T.STRING, s: new TextEncoder().encode(value) };
  }
  if (typeof value === 'number') return { name, type: T.INT, i: value };
  if (Array.isArray(value)) return { name, type: T.INTS, ints: value };
  return { name, type: T.FLOAT, f: value.f };
}
