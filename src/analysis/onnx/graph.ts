/**
 * The internal model graph: what importers produce and engines and analyses consume.
 *
 * It is plain data (no tfjs, no protobuf objects, no vscode): ONNX files are parsed into it
 * (parseOnnx.ts), constant chains are folded and every value gets a static shape
 * (foldGraph.ts), and builders translate it into an engine's model (buildLayersModel.ts makes a
 * TensorFlow.js LayersModel). A later engine (ONNX Runtime) can run the same graph and map its
 * activations back by value name. Layouts are ONNX's: NCHW, weights OIHW.
 */

/** Element type of a tensor, reduced to what the import distinguishes. */
export type ElementKind = 'float' | 'int' | 'bool' | 'other';

/**
 * A tensor whose values are known before running: an initializer, a Constant node's value, or a
 * value folded from them. Float data stays a view into the file's bytes when the file stores it
 * aligned (large weights are not copied); integer data (shapes, axes) is small and converted.
 */
export interface ConstantTensor {
  dims: number[];
  kind: ElementKind;
  /** Float32 for floats; Float64 (exact for every shape and index) for integers and booleans. */
  data: Float32Array | Float64Array;
  /**
   * Float weights stored unaligned in the file are copied only when read: `data` copies once and
   * keeps the copy (for constant folding), `readOnce()` gives a new copy it does not keep (for a
   * layer's weights, made once), so a large file is not held twice while the model is built.
   */
  readOnce?: () => Float32Array;
}

export type AttributeValue = number | number[] | string | string[] | ConstantTensor;

/** Where a node comes from, for messages and for showing the user's own names. */
export interface SourceSite {
  /** The file the node was read from. */
  file: string;
  /** The node's name in the file (PyTorch: `/layer1/layer1.0/conv1/Conv`), or `opType_index`. */
  nodeName: string;
  /** Index of the node in the file's graph. */
  index: number;
}

export interface GraphNode {
  /** Readable, unique name (PyTorch module path such as `layer1.0.conv1`); see names.ts. */
  name: string;
  opType: string;
  /** '' for ONNX's default domain (ai.onnx). */
  domain: string;
  /** Value names; '' marks an omitted optional input. */
  inputs: string[];
  outputs: string[];
  attributes: Map<string, AttributeValue>;
  site: SourceSite;
}

/** A graph input or output: dims are numbers, or a name / null where the file leaves them free. */
export interface ValueInfo {
  name: string;
  kind: ElementKind;
  dims: (number | string | null)[];
}

export interface ModelGraph {
  file: string;
  /** Default-domain opset the file was exported with. */
  opset: number;
  producer: string;
  /** Inputs that are not initializers. */
  inputs: ValueInfo[];
  outputs: ValueInfo[];
  /** In the file's (topological) order. */
  nodes: GraphNode[];
  /** Initializers and Constant node values, by value name. */
  constants: Map<string, ConstantTensor>;
}

/**
 * A graph after folding (foldGraph.ts): every node reads at least one computed value, constant
 * chains (Shape/Gather/Unsqueeze/Concat, Constant, Identity of constants) are gone, and every
 * value has a static shape at batch size 1.
 */
export interface FoldedGraph extends ModelGraph {
  /** Static ONNX shape (batch included, batch = 1) of every computed value. */
  shapes: Map<string, number[]>;
  /** The single image input. */
  input: ValueInfo & { shape: number[] };
}

export function constantSize(dims: number[]): number {
  return dims.reduce((a, b) => a * b, 1);
}

/** Float32 values of a constant (a view when it is stored as float32 already). */
export function float32Of(c: ConstantTensor): Float32Array {
  return c.data instanceof Float32Array ? c.data : Float32Array.from(c.data);
}
