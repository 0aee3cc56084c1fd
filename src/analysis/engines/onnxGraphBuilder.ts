/**
 * Builds an ONNX model in memory (nodes, float and int64 initializers, one float input, any number
 * of outputs) and serialises it with onnx-proto, the same schema package the ONNX import parses
 * with. Only what the native engine's translations need: float32 tensors, static shapes.
 */
import { closeSync, openSync, writeFileSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import { onnx } from 'onnx-proto';

/** Initializers at least this big go to the external weights file (small ones stay inline). */
const EXTERNAL_MIN_BYTES = 4096;
/** Offsets in the weights file: a multiple of every platform's mapping granularity (Windows: 64 KiB). */
const EXTERNAL_ALIGNMENT = 65536;

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
    return onnx.ModelProto.encode(this.model(name)).finish();
  }

  /**
   * Writes `model.onnx` into `dir` with the big initializers in `weights.bin` beside it (ONNX
   * external data), each written straight from its own buffer: no serialised copy of the weights
   * is made, and ONNX Runtime loads them from the file without parsing them out of a protobuf.
   * Returns the model file's path.
   */
  writeWithExternalWeights(name: string, dir: string): string {
    const weightsFile = join(dir, 'weights.bin');
    const model = this.model(name);
    const fd = openSync(weightsFile, 'w');
    try {
      let offset = 0;
      model.graph!.initializer = this.initializers.map((tensor) => {
        const raw = tensor.rawData!;
        if (raw.byteLength < EXTERNAL_MIN_BYTES) return tensor;
        offset = Math.ceil(offset / EXTERNAL_ALIGNMENT) * EXTERNAL_ALIGNMENT;
        writeSync(fd, raw, 0, raw.byteLength, offset);
        const external: onnx.ITensorProto = {
          ...tensor,
          rawData: undefined,
          dataLocation: onnx.TensorProto.DataLocation.EXTERNAL,
          externalData: [
            { key: 'location', value: 'weights.bin' },
            { key: 'offset', value: String(offset) },
            { key: 'length', value: String(raw.byteLength) },
          ],
        };
        offset += raw.byteLength;
        return external;
      });
    } finally {
      closeSync(fd);
    }
    const modelFile = join(dir, 'model.onnx');
    writeFileSync(modelFile, onnx.ModelProto.encode(model).finish());
    return modelFile;
  }

  private model(name: string): onnx.ModelProto {
    return onnx.ModelProto.create({
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
  }
}

function valueInfo(name: string, shape: number[]): onnx.IValueInfoProto {
  return {
    name,
    type: {
      tensorType: {
        elemType: onnx.TensorProto.DataType.FLOAT,
        // A negative size is free: the batch, which a call chooses.
        shape: { dim: shape.map((d) => (d < 0 ? { dimParam: 'batch' } : { dimValue: d })) },
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
