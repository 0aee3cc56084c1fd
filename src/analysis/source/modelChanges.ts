/**
 * What changed between two runs of a model file, in words: output shapes, parameter counts,
 * windows and receptive fields, added and removed layers. Layers are matched by name, then the
 * unnamed ones (whose generated names change on every build) by class, in model order.
 */
import type { ModelSummary } from '../modelSummary';
import type { ModelStructure, StructureLayer } from '../structure/modelStructure';
import { formatDims } from './linkRunToSource';

export interface ModelRun {
  summary: ModelSummary;
  structure: ModelStructure | null;
}

const GENERATED_NAME = /_[A-Z][A-Za-z0-9]*\d+$/; // tfjs: conv2d_Conv2D3, dense_Dense12

function pairLayers(before: ModelSummary, after: ModelSummary): [string | null, string | null][] {
  const oldNames = new Set(before.layers.map((l) => l.name));
  const pairs: [string | null, string | null][] = [];
  const matched = new Set<string>();
  const unmatchedOld = before.layers.filter(
    (l) => !after.layers.some((n) => n.name === l.name) && GENERATED_NAME.test(l.name),
  );
  for (const layer of after.layers) {
    if (oldNames.has(layer.name)) {
      pairs.push([layer.name, layer.name]);
      matched.add(layer.name);
      continue;
    }
    const i = GENERATED_NAME.test(layer.name)
      ? unmatchedOld.findIndex((o) => o.className === layer.className)
      : -1;
    if (i >= 0) {
      pairs.push([unmatchedOld[i].name, layer.name]);
      matched.add(unmatchedOld[i].name);
      unmatchedOld.splice(0, i + 1); // keep the order: skip the ones passed over
    } else {
      pairs.push([null, layer.name]);
    }
  }
  for (const l of before.layers) if (!matched.has(l.name)) pairs.push([l.name, null]);
  return pairs;
}

const arrow = (a: string, b: string) => `${a} -> ${b}`;
const window = (l: StructureLayer | undefined, key: 'kernel' | 'strides' | 'dilation') => {
  const v = l?.[key];
  if (!v) return null;
  return v.every((x) => x === v[0]) ? String(v[0]) : v.join('x');
};
const rfOf = (l: StructureLayer | undefined) => {
  const axes = l?.receptiveField.axes;
  return axes && !l.receptiveField.collapsed ? axes.map((a) => a.size).join('x') : null;
};

/** One line per changed layer, e.g. `conv2: stride 1 -> 2, output 24x24x16 -> 12x12x16`. */
export function describeChanges(before: ModelRun, after: ModelRun): string[] {
  const lines: string[] = [];
  const summaryOf = (run: ModelRun, name: string) =>
    run.summary.layers.find((l) => l.name === name)!;
  const structureOf = (run: ModelRun, name: string) =>
    run.structure?.layers.find((l) => l.name === name);
  for (const [oldName, newName] of pairLayers(before.summary, after.summary)) {
    if (!oldName) {
      const l = summaryOf(after, newName!);
      lines.push(`${newName}: added (${l.className}, output ${formatDims(l.outputShape)})`);
      continue;
    }
    if (!newName) {
      lines.push(`${oldName}: removed`);
      continue;
    }
    const [a, b] = [summaryOf(before, oldName), summaryOf(after, newName)];
    const [sa, sb] = [structureOf(before, oldName), structureOf(after, newName)];
    const parts: string[] = [];
    if (a.className !== b.className) parts.push(arrow(a.className, b.className));
    for (const [key, label] of [
      ['kernel', 'kernel'],
      ['strides', 'stride'],
      ['dilation', 'dilation'],
    ] as const) {
      const [x, y] = [window(sa, key), window(sb, key)];
      if (x && y && x !== y) parts.push(`${label} ${arrow(x, y)}`);
    }
    if (sa?.padding && sb?.padding && sa.padding !== sb.padding)
      parts.push(`padding ${arrow(sa.padding, sb.padding)}`);
    const [shapeA, shapeB] = [formatDims(a.outputShape), formatDims(b.outputShape)];
    if (shapeA !== shapeB) parts.push(`output ${arrow(shapeA, shapeB)}`);
    const [pa, pb] = [
      a.params.trainable + a.params.nonTrainable,
      b.params.trainable + b.params.nonTrainable,
    ];
    if (pa !== pb) parts.push(`params ${arrow(String(pa), String(pb))}`);
    const [ra, rb] = [rfOf(sa), rfOf(sb)];
    if (ra && rb && ra !== rb) parts.push(`RF ${arrow(ra, rb)}`);
    if (parts.length) lines.push(`${newName}: ${parts.join(', ')}`);
  }
  if (before.summary.totalParams !== after.summary.totalParams) {
    lines.push(
      `total params: ${arrow(String(before.summary.totalParams), String(after.summary.totalParams))}`,
    );
  }
  return lines;
}
