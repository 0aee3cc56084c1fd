// The backward rules of Keras' merge layers, where a network's branches meet (ResNet's Add,
// Inception's Concatenate): the signal at the merge's output goes to every input, as the chain
// rule sends it. Add copies it to each input, Subtract negates it for the second, Average divides
// it by the number of inputs, Multiply scales it by the other inputs, Maximum and Minimum route it
// to the input that won (the first on ties), Concatenate splits it along the joined axis. Where a
// branch meets others again further down, the caller sums what arrives from each (propagateBack).
import type { ArrayND, LayerSpec } from './types';

const sizeOf = (shape: number[]) => shape.reduce((a, b) => a * b, 1);

/** The signal at a merge's output split into one signal per input, in the inputs' order. */
export function mergeBackward(
  spec: LayerSpec,
  inputs: ArrayND[],
  signal: Float32Array,
): Float32Array[] {
  if (spec.mergeOp === 'concatenate') return splitConcatenation(spec, inputs, signal);
  for (const input of inputs) {
    if (input.data.length !== signal.length)
      throw new RangeError(
        `'${spec.name}' broadcasts inputs of shapes ${inputs.map((i) => `[${i.shape.join(', ')}]`).join(' and ')}; only inputs of one shape are followed back`,
      );
  }
  switch (spec.mergeOp) {
    case 'add':
      return inputs.map(() => Float32Array.from(signal));
    case 'subtract':
      return [Float32Array.from(signal), signal.map((r) => -r)];
    case 'average':
      return inputs.map(() => signal.map((r) => r / inputs.length));
    case 'multiply':
      return inputs.map((_, k) =>
        signal.map((r, i) => inputs.reduce((p, other, j) => (j === k ? p : p * other.data[i]), r)),
      );
    case 'maximum':
    case 'minimum':
      return routeToWinner(spec.mergeOp, inputs, signal);
    default:
      throw new RangeError(`'${spec.name}' is not a merge layer`);
  }
}

function routeToWinner(
  op: 'maximum' | 'minimum',
  inputs: ArrayND[],
  signal: Float32Array,
): Float32Array[] {
  const out = inputs.map(() => new Float32Array(signal.length));
  for (let i = 0; i < signal.length; i++) {
    let best = 0;
    for (let k = 1; k < inputs.length; k++) {
      const v = inputs[k].data[i];
      const b = inputs[best].data[i];
      if (op === 'maximum' ? v > b : v < b) best = k;
    }
    out[best][i] = signal[i];
  }
  return out;
}

/** Concatenate backward: each input gets its slice of the signal along the joined axis. */
function splitConcatenation(
  spec: LayerSpec,
  inputs: ArrayND[],
  signal: Float32Array,
): Float32Array[] {
  const rank = inputs[0].shape.length;
  const axis = (spec.axis ?? -1) < 0 ? rank + (spec.axis ?? -1) : spec.axis!;
  const outer = sizeOf(inputs[0].shape.slice(0, axis));
  const inner = sizeOf(inputs[0].shape.slice(axis + 1));
  const total = inputs.reduce((n, input) => n + input.shape[axis], 0);
  let offset = 0;
  return inputs.map((input) => {
    const size = input.shape[axis];
    const out = new Float32Array(sizeOf(input.shape));
    for (let o = 0; o < outer; o++)
      out.set(
        signal.subarray((o * total + offset) * inner, (o * total + offset + size) * inner),
        o * size * inner,
      );
    offset += size;
    return out;
  });
}
