// The 1-D edge detector of the classic convolution lecture: one filter with kernel [+1, -1], stride
// 2 and zero padding ('same': the odd input length gets one zero after the end). Output i is
// x[2i] - x[2i + 1]: a step up between positions 2i and 2i + 1 gives -1, a step down gives +1,
// and a flat signal gives 0. With stride 2, edges between positions 2i + 1 and 2i + 2 are not
// seen at all, and a 1 in the last position meets the zero padding: a "fake" edge of +1.
//
// Worked example (the numbers the tests check): x = [0, 0, 0, 1, 1, 1, 1, 1, 0, 0, 1]
//   y[0] = 0 - 0 = 0, y[1] = 0 - 1 = -1 (the step up), y[2] = 1 - 1 = 0, y[3] = 1 - 1 = 0,
//   y[4] = 0 - 0 = 0 (the step down between 7 and 8 falls between windows), y[5] = 1 - 0 = 1.
// Try it with a signal file (examples/signals/lecture.csv) or a synthetic step, impulse or sine.
import * as tf from '@tensorflow/tfjs';

export default function edges1d(): tf.LayersModel {
  const model = tf.sequential({ name: 'edges1d' });
  model.add(
    tf.layers.conv1d({
      name: 'edge',
      inputShape: [11, 1],
      filters: 1,
      kernelSize: 2,
      strides: 2,
      padding: 'same',
      useBias: false,
      kernelInitializer: 'zeros',
    }),
  );
  // kernel shape [kernelSize, inChannels, filters] = [2, 1, 1]
  const kernel = tf.tensor3d([1, -1], [2, 1, 1]);
  model.getLayer('edge').setWeights([kernel]);
  kernel.dispose();
  return model;
}
