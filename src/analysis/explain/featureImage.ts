// The optimised input of a feature visualization as pixels: each value mapped linearly from the
// range the preprocessing produces ([low, high]) to 0..255. Three channels are drawn in colour
// with the model's channel order (a BGR model's channel 0 is shown as blue), one as grey. Plain
// TypeScript: the webview and the command line draw the same picture.
import { inputChannelOf, type ChannelOrder } from './channelOrder';
import type { ArrayND } from './types';

export function featurePicture(
  image: ArrayND,
  range: [number, number],
  order: ChannelOrder = 'rgb',
): { width: number; height: number; rgba: Uint8ClampedArray } {
  const [height, width, channels] = image.shape;
  const [low, high] = range;
  const rgba = new Uint8ClampedArray(height * width * 4);
  for (let p = 0; p < height * width; p++) {
    for (let k = 0; k < 3; k++) {
      const channel = channels === 3 ? inputChannelOf(k, order) : 0;
      rgba[p * 4 + k] = Math.round(
        (255 * (image.data[p * channels + channel] - low)) / (high - low || 1),
      );
    }
    rgba[p * 4 + 3] = 255;
  }
  return { width, height, rgba };
}
