// Which layer a gallery is about. R-CNN's figure uses pool5, the deepest spatial pooling layer of
// AlexNet/VGG; other models get their last spatial pooling layer, else their last convolution.
import type { ModelStructure, StructureLayer } from '../structure/modelStructure';
import { layerCapabilities } from '../layerCapabilities';

/** True for a layer a gallery can describe: 2-D conv or windowed pooling with a receptive field. */
export function isGalleryLayer(layer: StructureLayer): boolean {
  const shape = layer.outputShape;
  const spatial = shape !== null && shape.length === 3;
  const field = layer.receptiveField;
  return (
    spatial &&
    layerCapabilities(layer.className).gallery &&
    field.axes !== null &&
    field.axes.length === 2 &&
    !field.collapsed
  );
}

export function galleryLayerNames(structure: ModelStructure): string[] {
  return structure.layers.filter(isGalleryLayer).map((l) => l.name);
}

/**
 * `pool5` when the model has one; else the deepest pooling layer with a spatial output; else the
 * deepest convolution. Undefined when the model has none (no gallery possible).
 */
export function defaultGalleryLayer(structure: ModelStructure): string | undefined {
  const candidates = structure.layers.filter(isGalleryLayer);
  const pool5 = candidates.find((l) => l.name === 'pool5');
  if (pool5) return pool5.name;
  const pools = candidates.filter((l) => l.kind === 'pooling');
  if (pools.length) return pools[pools.length - 1].name;
  return candidates[candidates.length - 1]?.name;
}

/** The structure row of a gallery layer, or an error message naming the choices. */
export function galleryLayer(
  structure: ModelStructure,
  name: string,
): { layer: StructureLayer } | { error: string } {
  const layer = structure.layers.find((l) => l.name === name);
  const choices = galleryLayerNames(structure).join(', ') || 'none';
  if (!layer) return { error: `no layer '${name}' (gallery layers: ${choices})` };
  if (!isGalleryLayer(layer)) {
    return {
      error: `layer '${name}' (${layer.className}) is not a 2-D convolution or pooling layer with a receptive field (gallery layers: ${choices})`,
    };
  }
  return { layer };
}
