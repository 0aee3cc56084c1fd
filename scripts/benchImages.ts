/** Seeded test pictures for the gallery benchmarks (benchmarkGallery.ts, benchmarkNativeGallery.ts). */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { PNG } from 'pngjs';

/** `count` different RGB pictures: seeded blobs of colour on a gradient. */
export function writeImages(dir: string, count: number, size: number): void {
  let seed = 12345;
  const random = () => (seed = (seed * 16807) % 2147483647) / 2147483647;
  for (let n = 0; n < count; n++) {
    const png = new PNG({ width: size, height: size });
    const blobs = Array.from({ length: 4 }, () => ({
      y: random() * size,
      x: random() * size,
      r: (0.1 + random() * 0.3) * size,
      c: [random() * 255, random() * 255, random() * 255],
    }));
    for (let y = 0; y < size; y++) {
      for (let x = 0; x < size; x++) {
        const i = (y * size + x) * 4;
        let rgb = [(x / size) * 128, (y / size) * 128, 64];
        for (const b of blobs) if ((y - b.y) ** 2 + (x - b.x) ** 2 < b.r ** 2) rgb = b.c;
        png.data.set([...rgb.map(Math.round), 255], i);
      }
    }
    writeFileSync(join(dir, `img-${String(n).padStart(4, '0')}.png`), PNG.sync.write(png));
  }
}
