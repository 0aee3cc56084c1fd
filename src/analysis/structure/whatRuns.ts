// Where TensorFlow.js runs a layer differently from its config. Every analysis (shapes, receptive
// fields, counts, the arithmetic, the projections) reads these through here, so the numbers
// shown describe what runs, and the reader is told where the config is not followed.
import { layerCapabilities } from '../layerCapabilities';

/**
 * The dilation a layer runs with. tfjs 4.22's DepthwiseConv2D calls the op without its
 * `dilationRate` (convolutional_depthwise.js: "TODO(cais): Add support for dilation"; its
 * computeOutputShape ignores it too), so it runs undilated (`runsUndilated` in the capability
 * table); Conv1D/2D and SeparableConv2D pass it. `note` says so when the configured dilation is
 * ignored.
 */
export function dilationThatRuns(
  className: string,
  configured: number[],
): { dilation: number[]; note?: string } {
  const ignored =
    layerCapabilities(className).runsUndilated === true && configured.some((d) => d !== 1);
  if (!ignored) return { dilation: configured };
  return {
    dilation: configured.map(() => 1),
    note: `dilationRate [${configured.join(', ')}] is configured, but TF.js 4.22 runs ${className} undilated; its receptive field, the arithmetic and the projections follow what runs`,
  };
}
