// Projections as pictures for the report: signed values around mid grey (the rule the panel draws
// with, image/rgbaPicture.ts), and PNG encoding.
import { PNG } from 'pngjs';
import type { ChannelOrder } from './channelOrder';
import type { ArrayND } from './types';
import { signedPicture, type RgbaPicture } from '../image/rgbaPicture';

/**
 * [h, w, c] values to RGBA: 3 channels as colour (in the input's channel `order`, drawn as RGB),
 * otherwise the sum over channels as grey.
 */
export function projectionPicture(values: ArrayND, order: ChannelOrder = 'rgb'): RgbaPicture {
  return signedPicture(values.data, values.shape, undefined, order);
}

export function encodePng(picture: RgbaPicture): Buffer {
  const png = new PNG({ width: picture.width, height: picture.height });
  png.data = Buffer.from(picture.rgba.buffer, picture.rgba.byteOffset, picture.rgba.byteLength);
  return PNG.sync.write(png);
}
