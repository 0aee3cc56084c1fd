/**
 * Where each layer object was really created: the `tf.layers.*` factories a model file sees are
 * wrapped so every call keeps its stack. Read once the model is built, through the bundle's source
 * map (Node applies it), the stack gives the user's file and line of the factory call and every
 * user frame above it, so a layer made in a helper called in a loop maps to the helper's line and
 * to the loop's call site.
 */
import { resolve, sep } from 'node:path';

export interface SourceFrame {
  file: string;
  /** 1-based, in the user's TypeScript source. */
  line: number;
  column: number;
}

export interface LayerCreationSite extends SourceFrame {
  /** The user's frames above the factory call, innermost first (call sites of helpers, loops...). */
  callers: SourceFrame[];
}

const FRAME = /\(?((?:[A-Za-z]:)?[^():\s]+):(\d+):(\d+)\)?\s*$/;
/** Deep enough for helpers inside helpers; the frames below the user's are dropped anyway. */
const STACK_DEPTH = 40;

/** Every frame of `stack` in the user's files (source-mapped), innermost first. */
export function userFrames(stack: string | undefined, isUserFile: (file: string) => boolean) {
  const frames: SourceFrame[] = [];
  for (const line of (stack ?? '').split('\n').slice(1)) {
    const match = FRAME.exec(line.trim().replace('file://', ''));
    if (!match) continue;
    const file = match[1];
    if (file.endsWith('.cjs') || file.includes(`${sep}node_modules${sep}`)) continue;
    if (!isUserFile(file)) continue;
    frames.push({ file, line: Number(match[2]), column: Number(match[3]) });
  }
  return frames;
}

/** Files under the model file's folder, or among the files the bundle was made from. */
export function userFilePredicate(modelFolder: string, inputs: string[] = []) {
  const root = resolve(modelFolder) + sep;
  const known = new Set(inputs.map((f) => resolve(f)));
  return (file: string) => file.startsWith(root) || known.has(file);
}

export class LayerSiteRecorder {
  /** Stacks are formatted (and source-mapped) only when read: creating layers stays cheap. */
  private readonly traces = new WeakMap<object, Error>();

  /** A copy of `tf.layers` whose factories record where they are called from. */
  wrapLayers<T extends object>(layers: T): T {
    const wrapped: Record<string, unknown> = {};
    for (const [key, value] of Object.entries(layers)) {
      wrapped[key] =
        typeof value === 'function' && /^[a-z]/.test(key) ? this.wrapFactory(value) : value;
    }
    return wrapped as T;
  }

  private wrapFactory(factory: (...args: unknown[]) => unknown) {
    const traces = this.traces;
    const recording = function (this: unknown, ...args: unknown[]) {
      const layer = factory.apply(this, args);
      if (layer && typeof layer === 'object') {
        const depth = Error.stackTraceLimit;
        Error.stackTraceLimit = STACK_DEPTH;
        const trace = new Error('layer created here');
        Error.captureStackTrace(trace, recording);
        Error.stackTraceLimit = depth;
        traces.set(layer, trace);
      }
      return layer;
    };
    return recording;
  }

  /** Creation site per layer name, for the layers made through the wrapped factories. */
  sitesOf(
    layers: readonly { name: string }[],
    isUserFile: (file: string) => boolean,
  ): Record<string, LayerCreationSite> {
    const sites: Record<string, LayerCreationSite> = {};
    for (const layer of layers) {
      const trace = this.traces.get(layer);
      if (!trace) continue;
      const [site, ...callers] = userFrames(trace.stack, isUserFile);
      if (site) sites[layer.name] = { ...site, callers };
    }
    return sites;
  }
}
