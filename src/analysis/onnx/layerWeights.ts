/**
 * A layer's weights from the file enter when the layer is built, in place of its initializer:
 * tfjs-layers would otherwise first fill every weight with zeros (a second copy of all weights,
 * which on WebAssembly stays in a heap that never shrinks) and setWeights would then replace them.
 * The weights are made (by `make`, all of the layer's at once, in its weights' order) when the
 * layer creates its first weight; each tensor becomes the variable's value without a copy.
 */
import type * as tfType from '@tensorflow/tfjs';

type AddWeight = (
  name: string,
  shape: number[],
  dtype?: tfType.DataType,
  initializer?: { apply(shape: number[], dtype?: tfType.DataType): tfType.Tensor },
  ...rest: unknown[]
) => tfType.LayerVariable;

export function buildWithWeights(
  layer: tfType.layers.Layer,
  make: () => tfType.Tensor[],
  onMade?: () => void,
): void {
  const host = layer as unknown as { addWeight: AddWeight };
  const addWeight = host.addWeight.bind(layer);
  let made: tfType.Tensor[] | undefined;
  let next = 0;
  host.addWeight = (name, shape, dtype, _initializer, ...rest) => {
    if (!made) {
      made = make();
      onMade?.();
    }
    const value = made[next++];
    if (!value || value.shape.join() !== shape.join()) {
      made.slice(next - 1).forEach((t) => t.dispose());
      throw new Error(
        `layer '${layer.name}': weight '${name}' has shape [${shape.join(', ')}], the file gives [${value?.shape.join(', ') ?? 'nothing'}]`,
      );
    }
    // The last weight: the layer's own addWeight again, so nothing keeps `make`, whose
    // constants are views into the file's bytes (the buffer can then be released).
    if (next === made.length) delete (layer as unknown as Partial<typeof host>).addWeight;
    // addWeight makes the variable from this tensor (sharing its data) and disposes the tensor.
    return addWeight(name, shape, dtype, { apply: () => value }, ...rest);
  };
}
