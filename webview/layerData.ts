/** A layer's activations as the panel holds them, with helpers to read one channel. */
export interface LayerData {
  name: string;
  shape: number[];
  data: Float32Array;
  min: number;
  max: number;
}

/** How a layer is laid out as feature maps: spatial [h, w, c], 1-D [steps, c], or a vector. */
export interface MapGeometry {
  channels: number;
  height: number;
  width: number;
}

export function mapGeometry(shape: number[]): MapGeometry | undefined {
  if (shape.length === 3) return { height: shape[0], width: shape[1], channels: shape[2] };
  if (shape.length === 2) return { height: 1, width: shape[0], channels: shape[1] };
  return undefined;
}

/** Value of channel c at (y, x) in channels-last data. */
export function valueAt(layer: LayerData, g: MapGeometry, c: number, y: number, x: number): number {
  return layer.data[(y * g.width + x) * g.channels + c];
}

export function channelRanges(
  layer: LayerData,
  g: MapGeometry,
): { min: Float32Array; max: Float32Array } {
  const min = new Float32Array(g.channels).fill(Infinity);
  const max = new Float32Array(g.channels).fill(-Infinity);
  const { data } = layer;
  for (let i = 0; i < data.length; i++) {
    const c = i % g.channels;
    const v = data[i];
    if (v < min[c]) min[c] = v;
    if (v > max[c]) max[c] = v;
  }
  return { min, max };
}

export function formatValue(v: number): string {
  if (v === 0) return '0';
  const a = Math.abs(v);
  return a >= 1e4 || a < 1e-3 ? v.toExponential(3) : v.toPrecision(4);
}
