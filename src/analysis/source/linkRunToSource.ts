/**
 * Joins a run's facts to the static pass: which layer instances each layer-creating call made
 * (from the creation sites recorded in the worker), and the short facts shown in lenses and hovers.
 */
import type { LayerCreationSite } from '../model/layerCreationSites';
import type { LayerSummary, ModelSummary } from '../modelSummary';
import type { ModelStructure, StructureLayer } from '../structure/modelStructure';
import type { SourceScan } from './types';
import { formatCount, formatShape } from '../format';

/** Index of the call in `scan.layers` that created a layer at `site`, or -1. */
export function callAtSite(scan: SourceScan, site: { line: number; column: number }): number {
  let best = -1;
  scan.layers.forEach((call, i) => {
    if (call.callee.line === site.line && call.callee.column === site.column) best = i;
  });
  if (best >= 0) return best;
  // Columns can differ by a token when a source map is coarse: the last call starting before it.
  scan.layers.forEach((call, i) => {
    const startsBefore =
      call.start.line < site.line ||
      (call.start.line === site.line && call.start.column <= site.column);
    const endsAfter =
      call.callee.line > site.line ||
      (call.callee.line === site.line && call.callee.column >= site.column);
    if (startsBefore && (endsAfter || call.callee.line === site.line)) best = i;
  });
  return best;
}

export interface CallInstances {
  /** Layer names per index of `scan.layers`, in model order. */
  byCall: Map<number, string[]>;
  /** Lines of this file that, through a helper or loop, made several layers at one site. */
  byCallerLine: Map<number, string[]>;
}

/**
 * Which layers each call made. `sitesAreCurrent` is false when the file changed since the run:
 * then only calls with a literal `name` are matched (by name), never by position.
 */
export function instancesByCall(
  scan: SourceScan,
  summary: ModelSummary,
  sitesAreCurrent: boolean,
): CallInstances {
  const byCall = new Map<number, string[]>();
  const byCallerLine = new Map<number, string[]>();
  const push = <K>(map: Map<K, string[]>, key: K, name: string) =>
    map.set(key, [...(map.get(key) ?? []), name]);
  const names = new Set(summary.layers.map((l) => l.name));
  const claimed = new Set<string>();
  scan.layers.forEach((call, i) => {
    if (call.name && names.has(call.name)) {
      push(byCall, i, call.name);
      claimed.add(call.name);
    }
  });
  if (!sitesAreCurrent) return { byCall, byCallerLine };
  const siteKeys = new Map<string, string>(); // layer name -> its creation site
  const callLines = new Set(scan.layers.map((c) => c.start.line));
  for (const layer of summary.layers) {
    const site: LayerCreationSite | undefined = summary.creationSites?.[layer.name];
    if (site) siteKeys.set(layer.name, `${site.file}:${site.line}:${site.column}`);
    if (!site || site.file !== scan.file) {
      if (site)
        markCallers(site, scan.file, callLines, (line) => push(byCallerLine, line, layer.name));
      continue;
    }
    if (!claimed.has(layer.name)) {
      const index = callAtSite(scan, site);
      if (index >= 0) push(byCall, index, layer.name);
    }
    markCallers(site, scan.file, callLines, (line) => push(byCallerLine, line, layer.name));
  }
  // A caller line is worth a lens only when it repeats a creation site (a loop, a helper called
  // several times): a plain call of a model factory would just list the whole model again.
  for (const [line, layerNames] of byCallerLine) {
    const keys = layerNames.map((n) => siteKeys.get(n));
    if (new Set(keys).size === keys.length) byCallerLine.delete(line);
  }
  return { byCall, byCallerLine };
}

function markCallers(
  site: LayerCreationSite,
  file: string,
  callLines: Set<number>,
  mark: (line: number) => void,
): void {
  const seen = new Set<number>();
  for (const caller of site.callers) {
    if (caller.file !== file || callLines.has(caller.line) || seen.has(caller.line)) continue;
    seen.add(caller.line);
    mark(caller.line);
  }
}

export const formatDims = (dims: readonly (number | null)[]) => formatShape(dims, 'x');

export { formatCount };

export interface LayerFacts {
  name: string;
  className: string;
  outputShape: string;
  params: number;
  macs: number | null;
  /** e.g. "5x5"; null where receptive fields do not apply or are unknown. */
  receptiveField: string | null;
  /** Set when the field comes through a merge of misaligned branches (see LayerReceptiveField). */
  receptiveFieldWarning?: string;
}

export function layerFacts(
  summary: ModelSummary,
  structure: ModelStructure | null,
  name: string,
): LayerFacts | undefined {
  const layer: LayerSummary | undefined = summary.layers.find((l) => l.name === name);
  if (!layer) return undefined;
  const s: StructureLayer | undefined = structure?.layers.find((l) => l.name === name);
  const axes = s?.receptiveField.axes;
  return {
    name,
    className: layer.className,
    outputShape: formatDims(layer.outputShape),
    params: layer.params.trainable + layer.params.nonTrainable,
    macs: s?.macs ?? null,
    receptiveField:
      axes && !s.receptiveField.collapsed ? axes.map((a) => String(a.size)).join('x') : null,
    ...(axes && s.receptiveField.misalignment
      ? { receptiveFieldWarning: s.receptiveField.misalignment }
      : {}),
  };
}

/** `24x24x6 · 156 params · RF 5x5` */
export function factsLine(f: LayerFacts): string {
  const parts = [f.outputShape, `${formatCount(f.params)} params`];
  if (f.receptiveField)
    parts.push(`RF ${f.receptiveField}${f.receptiveFieldWarning ? ' (misaligned branches)' : ''}`);
  return parts.join(' \u00b7 ');
}
