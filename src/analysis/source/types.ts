/** What the static pass finds in a model file. Plain data; positions are 1-based like editors show. */

export interface SourcePosition {
  line: number;
  column: number;
}

/** A literal option value; null when the option is set but not to a literal (a variable, a call). */
export type OptionValue = number | string | boolean | number[] | null;

export interface LayerCall {
  /** The factory called: `conv2d`, `maxPooling2d`, `dense`... */
  factory: string;
  /** Start of the call expression (`tf.layers.conv2d(...)`). */
  start: SourcePosition;
  /** The factory's name in the call: V8 reports the call frame there. */
  callee: SourcePosition;
  end: SourcePosition;
  /** The `name` option when it is a string literal. */
  name?: string;
  /** Options given in an object literal as the first argument. */
  options: Record<string, OptionValue>;
  /** Model exports that may contain the layer (default first). */
  exportNames: string[];
  /** The result (the layer, or its `.apply(...)` output) is discarded or bound to an unread variable. */
  unusedOutput: boolean;
}

export interface ModelDefinition {
  exportName: string;
  /** `export`: the exported declaration; otherwise the factory call inside it. */
  kind: 'export' | 'sequential' | 'model';
  start: SourcePosition;
}

/** A `tf.sequential` whose layers the pass can list in order (a `layers` array or `m.add(...)`). */
export interface SequentialChain {
  start: SourcePosition;
  /** Indexes into `SourceScan.layers`, in model order. */
  layers: number[];
  /** False when something the pass cannot follow (a loop, a helper) adds layers part way. */
  complete: boolean;
}

export interface SourceScan {
  file: string;
  /** Empty when the file defines no model: then it gets no lenses. */
  models: ModelDefinition[];
  layers: LayerCall[];
  sequentials: SequentialChain[];
  /** Syntax errors the parser recovered from (the tree is still usable). */
  parseErrors: number;
}
