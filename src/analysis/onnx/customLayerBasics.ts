// What the import's own layers share: tfjs hands a layer with one input either the tensor (or
// shape) or a one-element list of them, so every layer reads "the first one" the same way.
import type * as tfType from '@tensorflow/tfjs';

export type Tensor = tfType.Tensor;
export type Shape = (number | null)[];

export const firstShape = (s: Shape | Shape[]) => (Array.isArray(s[0]) ? s[0] : s) as Shape;
export const firstTensor = (t: Tensor | Tensor[]) => (Array.isArray(t) ? t[0] : t);

/** An NHWC shape with its height and width made `size`: what every resizing layer outputs. */
export function resizedShape(inputShape: Shape | Shape[], size: [number, number]): Shape {
  const s = firstShape(inputShape);
  return [s[0], ...size, s[3]];
}
