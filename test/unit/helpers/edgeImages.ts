// Synthetic 16x16 grey images for the gallery tests: short bright lines on black, placed so the
// strongest responses of test/fixtures/gallery/edges.ts are known on paper (see the tests).
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { greyPng } from './imageBytes';

const SIZE = 16;

export interface Line {
  /** 'v': a vertical line at column `at`, rows from..to; 'h': a horizontal one at row `at`. */
  dir: 'v' | 'h';
  at: number;
  from: number;
  to: number;
  value: number;
}

export function linesImage(lines: Line[]): number[] {
  const pixels = new Array<number>(SIZE * SIZE).fill(0);
  for (const l of lines) {
    for (let i = l.from; i <= l.to; i++) {
      const [y, x] = l.dir === 'v' ? [i, l.at] : [l.at, i];
      pixels[y * SIZE + x] = l.value;
    }
  }
  return pixels;
}

/** The images the tests reason about, by file name. */
export const EDGE_IMAGES: Record<string, Line[]> = {
  'a.png': [{ dir: 'v', at: 9, from: 4, to: 6, value: 255 }],
  'b.png': [{ dir: 'h', at: 9, from: 4, to: 6, value: 255 }],
  'c.png': [
    { dir: 'v', at: 3, from: 10, to: 12, value: 255 },
    { dir: 'v', at: 13, from: 2, to: 4, value: 128 },
  ],
};

/** Two vertical lines whose best positions' fields overlap (IoU 0.2). */
export const NMS_IMAGE: Line[] = [
  { dir: 'v', at: 9, from: 4, to: 6, value: 255 },
  { dir: 'v', at: 5, from: 4, to: 6, value: 200 },
];

export function writeEdgeImages(
  dir: string,
  images: Record<string, Line[]> = EDGE_IMAGES,
): string[] {
  mkdirSync(dir, { recursive: true });
  return Object.entries(images).map(([name, lines]) => {
    const file = join(dir, name);
    writeFileSync(file, greyPng(SIZE, SIZE, linesImage(lines)));
    return file;
  });
}
