// Tests that build models on this process's own tfjs choose its backend first. Loading
// src/analysis/runtime.ts (any file of the same mocha run may, through helpers/runtime.ts)
// registers tfjs's wasm backend, whose priority is above cpu's; a first tf call with no backend
// chosen then picks wasm, which initialises asynchronously, and throws "The highest priority
// backend 'wasm' has not yet been initialized" unless a file before it happened to load the runtime.
import * as tf from '@tensorflow/tfjs';

/** Runs the enclosing describe's tests on the cpu backend and gives the previous one back after. */
export function onCpuBackend(): void {
  let previous: string | undefined;
  before(async () => {
    previous = tf.getBackend();
    await tf.setBackend('cpu');
  });
  after(async () => {
    if (previous && previous !== 'cpu') await tf.setBackend(previous);
  });
}
