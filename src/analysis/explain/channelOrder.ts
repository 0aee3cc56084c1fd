// The colour order of a model's input channels, as the model file declares it
// (`export const channelOrder = 'bgr'`, e.g. for caffe-style VGG preprocessing). Pictures of
// values in the model input's space (projections, first-layer filters) are drawn in RGB whatever
// the order. Plain TypeScript with no imports: the webview uses it too.

export type ChannelOrder = 'rgb' | 'bgr';

export const CHANNEL_ORDERS: readonly ChannelOrder[] = ['rgb', 'bgr'];

/** The input channel that holds display colour `rgb` (0 red, 1 green, 2 blue). */
export function inputChannelOf(rgb: number, order: ChannelOrder): number {
  return order === 'bgr' ? 2 - rgb : rgb;
}

/** A note for pictures drawn from a BGR input, or none. */
export function channelOrderNote(order: ChannelOrder): string[] {
  return order === 'bgr'
    ? ["drawn in RGB: the model's input channels are in BGR order (channelOrder 'bgr')"]
    : [];
}
