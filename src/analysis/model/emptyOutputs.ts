/**
 * A layer whose output has a zero-sized dimension (a window larger than its input, `units: 0`...)
 * is refused when the model is built. TF.js builds such a model without complaint, but running it
 * reads and writes out of bounds on WebAssembly, which leaves the backend unusable; and an empty
 * map has nothing to show. The error points at the layer's line in the model file.
 */
import type * as tfType from '@tensorflow/tfjs';
import { InspectorError, formatLocation } from '../errors';
import { firstOutputShape, inspectableLayers, type ModelSummary } from '../modelSummary';
import { formatShape } from '../format';

const TIMES = '\u00d7';

function shapeText(shape: readonly (number | null)[]): string {
  return shape.length ? formatShape(shape) : 'a scalar';
}

function firstInputShape(layer: tfType.layers.Layer): (number | null)[] | undefined {
  const shapes = layer.inboundNodes[0]?.inputShapes as
    (number | null)[] | (number | null)[][] | undefined;
  if (!shapes?.length) return undefined;
  const single = Array.isArray(shapes[0]) ? (shapes[0] as (number | null)[]) : shapes;
  return (single as (number | null)[]).slice(1);
}

/** "its 15×15 window with 'valid' padding does not fit ..." for windowed layers, else ''. */
function windowHint(layer: tfType.layers.Layer): string {
  const config = layer.getConfig() as Record<string, unknown>;
  const window = config.kernelSize ?? config.poolSize;
  if (window === undefined) return '';
  const size = Array.isArray(window) ? (window as number[]).join(TIMES) : String(window);
  const padding = typeof config.padding === 'string' ? ` with '${config.padding}' padding` : '';
  return ` Its ${size} window${padding} does not fit its input: use a smaller kernelSize, poolSize, strides or dilationRate, or padding 'same'.`;
}

/** The first layer (in model order) whose output has a dimension of size zero or less. */
function firstEmptyLayer(model: tfType.LayersModel): tfType.layers.Layer | undefined {
  return inspectableLayers(model).find((layer) =>
    firstOutputShape(layer).some((d) => d !== null && d <= 0),
  );
}

/** Throws a clear error, at the layer's creation line, for the first layer with an empty output. */
export function assertNoEmptyOutputs(model: tfType.LayersModel, summary: ModelSummary): void {
  const layer = firstEmptyLayer(model);
  if (!layer) return;
  const output = firstOutputShape(layer).map((d) => (d === null ? null : Math.max(d, 0)));
  const input = firstInputShape(layer);
  const site = summary.creationSites?.[layer.name];
  const location = site ? { file: site.file, line: site.line, column: site.column } : undefined;
  const where = location ? formatLocation(location) : summary.file;
  throw new InspectorError(
    'layer',
    `${where}: layer '${layer.name}' (${layer.getClassName()}) has an empty output, ${shapeText(output)}${input ? `, from a ${shapeText(input)} input` : ''}: there is nothing to compute or show.${windowHint(layer)}`,
    location,
  );
}
