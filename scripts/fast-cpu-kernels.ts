// Faster replacements for the two cpu-backend kernels that dominate LeNet training time.
// TF.js's cpu kernels for Conv2DBackpropFilter and MaxPoolGrad go through TensorBuffer.get/set for
// every element: at batch 64 they took about 5 s and 0.25 s of a 5.5 s training step. These are the
// same sums as plain typed-array loops. Each is checked against the original kernel on random
// problems before it replaces it, and training refuses to start when they disagree.
import * as tf from '@tensorflow/tfjs';

type Shape4 = [number, number, number, number];
type KernelFunc = tf.KernelConfig['kernelFunc'];
type KernelArgs = Parameters<KernelFunc>[0];
// The parts of MathBackendCPU used here (the class is not exported by tfjs).
type CpuBackend = {
  data: { get(id: object): { values: Float32Array } };
  makeTensorInfo(shape: number[], dtype: 'float32', values: Float32Array): tf.TensorInfo;
};
type ConvInfo = ReturnType<typeof tf.backend_util.computeConv2DInfo>;

/** dW[fh, fw, ci, co] = sum over n, oh, ow of x[n, ih, iw, ci] * dy[n, oh, ow, co] (NHWC, no dilation). */
export function convFilterGradient(
  x: Float32Array,
  dy: Float32Array,
  info: ConvInfo,
): Float32Array {
  const { batchSize, inHeight, inWidth, inChannels, outHeight, outWidth, outChannels } = info;
  const { filterHeight, filterWidth, strideHeight, strideWidth } = info;
  const { top, left } = info.padInfo;
  const dw = new Float32Array(filterHeight * filterWidth * inChannels * outChannels);
  for (let n = 0; n < batchSize; n++) {
    for (let oh = 0; oh < outHeight; oh++) {
      for (let ow = 0; ow < outWidth; ow++) {
        const dyBase = ((n * outHeight + oh) * outWidth + ow) * outChannels;
        for (let fh = 0; fh < filterHeight; fh++) {
          const ih = oh * strideHeight + fh - top;
          if (ih < 0 || ih >= inHeight) continue;
          for (let fw = 0; fw < filterWidth; fw++) {
            const iw = ow * strideWidth + fw - left;
            if (iw < 0 || iw >= inWidth) continue;
            const xBase = ((n * inHeight + ih) * inWidth + iw) * inChannels;
            for (let ci = 0; ci < inChannels; ci++) {
              const xv = x[xBase + ci];
              if (xv === 0) continue; // ReLU outputs are mostly zeros
              const dwBase = ((fh * filterWidth + fw) * inChannels + ci) * outChannels;
              for (let co = 0; co < outChannels; co++) dw[dwBase + co] += xv * dy[dyBase + co];
            }
          }
        }
      }
    }
  }
  return dw;
}

/**
 * Routes each dy value to the first (row-major) maximum of its pooling window, the position the
 * cpu kernel picks too, which matters for windows of equal ReLU zeros.
 */
export function maxPoolGradient(x: Float32Array, dy: Float32Array, info: ConvInfo): Float32Array {
  const { batchSize, inHeight, inWidth, inChannels, outHeight, outWidth } = info;
  const { filterHeight, filterWidth, strideHeight, strideWidth } = info;
  const { top, left } = info.padInfo;
  const dx = new Float32Array(batchSize * inHeight * inWidth * inChannels);
  for (let n = 0; n < batchSize; n++) {
    for (let oh = 0; oh < outHeight; oh++) {
      const rowStart = Math.max(0, oh * strideHeight - top);
      const rowEnd = Math.min(inHeight, oh * strideHeight - top + filterHeight);
      for (let ow = 0; ow < outWidth; ow++) {
        const colStart = Math.max(0, ow * strideWidth - left);
        const colEnd = Math.min(inWidth, ow * strideWidth - left + filterWidth);
        const dyBase = ((n * outHeight + oh) * outWidth + ow) * inChannels;
        for (let c = 0; c < inChannels; c++) {
          let best = Number.NEGATIVE_INFINITY;
          let bestIndex = -1;
          for (let r = rowStart; r < rowEnd; r++) {
            for (let col = colStart; col < colEnd; col++) {
              const index = ((n * inHeight + r) * inWidth + col) * inChannels + c;
              if (x[index] > best) {
                best = x[index];
                bestIndex = index;
              }
            }
          }
          if (bestIndex >= 0) dx[bestIndex] += dy[dyBase + c];
        }
      }
    }
  }
  return dx;
}

function convFilterGradientKernel(original: KernelFunc): KernelFunc {
  return (args: KernelArgs) => {
    const { x, dy } = args.inputs as { x: tf.TensorInfo; dy: tf.TensorInfo };
    const attrs = args.attrs as unknown as tf.Conv2DBackpropFilterAttrs;
    if (attrs.dataFormat !== 'NHWC') return original(args);
    const backend = args.backend as unknown as CpuBackend;
    const info = tf.backend_util.computeConv2DInfo(
      x.shape as Shape4,
      attrs.filterShape,
      attrs.strides,
      1,
      attrs.pad,
      attrs.dimRoundingMode,
    );
    const dw = convFilterGradient(
      backend.data.get(x.dataId).values,
      backend.data.get(dy.dataId).values,
      info,
    );
    return backend.makeTensorInfo(attrs.filterShape, 'float32', dw);
  };
}

function maxPoolGradientKernel(): KernelFunc {
  return (args: KernelArgs) => {
    const { dy, input } = args.inputs as { dy: tf.TensorInfo; input: tf.TensorInfo };
    const attrs = args.attrs as unknown as tf.MaxPoolGradAttrs;
    const backend = args.backend as unknown as CpuBackend;
    const info = tf.backend_util.computePool2DInfo(
      input.shape as Shape4,
      attrs.filterSize,
      attrs.strides,
      1,
      attrs.pad,
      attrs.dimRoundingMode,
    );
    const dx = maxPoolGradient(
      backend.data.get(input.dataId).values,
      backend.data.get(dy.dataId).values,
      info,
    );
    return backend.makeTensorInfo(input.shape, 'float32', dx);
  };
}

function setCpuKernel(config: tf.KernelConfig): void {
  tf.unregisterKernel(config.kernelName, 'cpu');
  tf.registerKernel(config);
}

/** Swaps in `fast` for the cpu kernel `name` when it computes the same gradients as the original. */
function replaceAfterCheck(name: string, fast: KernelFunc, gradients: (() => tf.Tensor)[]): void {
  const original = tf.getKernel(name, 'cpu');
  for (const gradient of gradients) {
    const expected = gradient();
    setCpuKernel({ ...original, kernelFunc: fast });
    const actual = gradient();
    setCpuKernel(original);
    const maxError = tf.tidy(() => tf.max(tf.abs(tf.sub(expected, actual))).dataSync()[0]);
    tf.dispose([expected, actual]);
    if (!(maxError < 1e-3)) {
      throw new Error(`Fast ${name} differs from the cpu kernel by ${maxError} on a check problem`);
    }
  }
  setCpuKernel({ ...original, kernelFunc: fast });
}

type Padding = 'same' | 'valid';
const CHECKS: [Shape4, number, number, Padding, number][] = [
  [[3, 9, 9, 2], 3, 1, 'same', 4],
  [[2, 10, 8, 3], 5, 1, 'valid', 5],
  [[2, 11, 11, 2], 3, 2, 'same', 3],
  [[1, 12, 12, 1], 2, 2, 'valid', 6],
];

/** Replaces the cpu backend's Conv2DBackpropFilter and MaxPoolGrad (call after setBackend('cpu')). */
export function useFastCpuTrainingKernels(): void {
  // ReLU inputs give the max-pool windows full of equal zeros, as in training.
  const input = (shape: Shape4) =>
    tf.relu(tf.randomNormal(shape, 0, 1, 'float32', 7)) as tf.Tensor4D;
  const weighted = (y: tf.Tensor) => y.mul(tf.randomNormal(y.shape, 0, 1, 'float32', 9)).sum();
  const conv = tf.getKernel('Conv2DBackpropFilter', 'cpu').kernelFunc;
  replaceAfterCheck(
    'Conv2DBackpropFilter',
    convFilterGradientKernel(conv),
    CHECKS.map(
      ([shape, k, stride, pad, outChannels]) =>
        () =>
          tf.tidy(() => {
            const x = input(shape);
            const f = tf.randomNormal([k, k, shape[3], outChannels], 0, 1, 'float32', 8);
            return tf.grad((w: tf.Tensor) => weighted(tf.conv2d(x, w as tf.Tensor4D, stride, pad)))(
              f,
            );
          }),
    ),
  );
  replaceAfterCheck(
    'MaxPoolGrad',
    maxPoolGradientKernel(),
    CHECKS.map(
      ([shape, k, stride, pad]) =>
        () =>
          tf.tidy(() =>
            tf.grad((x: tf.Tensor) => weighted(tf.maxPool(x as tf.Tensor4D, k, stride, pad)))(
              input(shape),
            ),
          ),
    ),
  );
}
