import type { RgbaPicture } from '../src/analysis/image/rgbaPicture';

/** A canvas showing an RGBA picture pixel for pixel, stretched by CSS with its aspect kept. */
export function rgbaCanvas(picture: RgbaPicture, className: string): HTMLCanvasElement {
  const canvas = document.createElement('canvas');
  canvas.className = className;
  canvas.width = picture.width;
  canvas.height = picture.height;
  canvas.style.aspectRatio = `${picture.width / picture.height}`;
  canvas
    .getContext('2d')
    ?.putImageData(
      new ImageData(new Uint8ClampedArray(picture.rgba), picture.width, picture.height),
      0,
      0,
    );
  return canvas;
}
