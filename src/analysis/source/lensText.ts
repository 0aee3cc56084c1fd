/**
 * The CodeLens titles (src/extension/sourceLinks/layerLenses.ts decides where they go): what a
 * lens says above a model, a layer-creating call and a line that calls a layer-making function.
 * Pure text from the run's facts, tested in Node.
 */
import { factsLine, formatCount, type LayerFacts } from './linkRunToSource';
import type { LayerCall } from './types';

/** Lists each instance of a call made several times up to this many; more get one picker lens. */
export const LISTED_INSTANCES = 3;

/**
 * "Visualize model vgg16 · 23 layers · 138.4M params". The export's name is left out for the
 * default export and where several exports start on the same line.
 */
export function modelLensTitle(
  exportName: string,
  exportsOnLine: number,
  run?: { layers: number; params: number },
): string {
  const facts = run ? ` \u00b7 ${run.layers} layers \u00b7 ${formatCount(run.params)} params` : '';
  const label = exportName === 'default' || exportsOnLine > 1 ? '' : ` ${exportName}`;
  return `Visualize model${label}${facts}`;
}

/** A lens above a layer-creating call: its title and the layer it opens (none: a picker). */
export interface CallLens {
  title: string;
  layer?: string;
}

/**
 * The lenses above a layer-creating call: the layer and its facts when the call made one; a
 * picker, and each instance while there are few, when it made several; before a run, the call as
 * written (its `name`, else its factory), which opens the panel at that layer.
 */
export function callLensTitles(call: LayerCall, instances: LayerFacts[]): CallLens[] {
  if (instances.length === 1)
    return [
      { title: `Visualize layer \u00b7 ${factsLine(instances[0])}`, layer: instances[0].name },
    ];
  if (instances.length > 1) {
    const listed =
      instances.length <= LISTED_INSTANCES
        ? instances.map((i) => ({ title: `${i.name} \u00b7 ${factsLine(i)}`, layer: i.name }))
        : [];
    return [{ title: `Visualize layer (${instances.length} instances)` }, ...listed];
  }
  return [{ title: `Visualize layer ${call.name ?? call.factory}`, layer: call.name }];
}

/** The lens on a line that calls a function making layers (undefined when it made none). */
export function callerLensTitle(instances: LayerFacts[]): string | undefined {
  if (instances.length === 0) return undefined;
  return instances.length === 1
    ? `Visualize layer made here \u00b7 ${instances[0].name} \u00b7 ${factsLine(instances[0])}`
    : `Visualize layers made here (${instances.length})`;
}
