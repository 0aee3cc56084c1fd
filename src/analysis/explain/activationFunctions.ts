// The activation functions of tfjs layers, in plain JS: their value (for the arithmetic view) and
// their derivative (for the gradient-based projections). Softmax is not elementwise and is
// handled by the callers.

const SELU_SCALE = 1.0507009873554805;
const SELU_ALPHA = 1.6732632423543772;

const sigmoid = (z: number) => 1 / (1 + Math.exp(-z));
const softplus = (z: number) => (z > 20 ? z : Math.log1p(Math.exp(z)));

/** erf, Abramowitz & Stegun 7.1.26 (|error| < 1.5e-7), the approximation tfjs uses as well. */
export function erf(x: number): number {
  const sign = x < 0 ? -1 : 1;
  const a = Math.abs(x);
  const t = 1 / (1 + 0.3275911 * a);
  const poly =
    t *
    (0.254829592 + t * (-0.284496736 + t * (1.421413741 + t * (-1.453152027 + t * 1.061405429))));
  return sign * (1 - poly * Math.exp(-a * a));
}

/** Activations whose rectification the deconvnet applies (Zeiler & Fergus rectify ReLU units). */
export function isRectifier(name: string): boolean {
  return ['relu', 'relu6', 'reluMax', 'leakyRelu'].includes(name);
}

export function knownActivation(name: string): boolean {
  return name === 'softmax' || !Number.isNaN(activate(name, 0.5, 0.3));
}

/** f(z) of the activation `name`; NaN for an unknown name. */
export function activate(name: string, z: number, param = 0): number {
  switch (name) {
    case 'linear':
      return z;
    case 'relu':
      return Math.max(z, 0);
    case 'relu6':
      return Math.min(Math.max(z, 0), 6);
    case 'reluMax':
      return Math.min(Math.max(z, 0), param);
    case 'leakyRelu':
      return z < 0 ? param * z : z;
    case 'elu':
      return z > 0 ? z : (param || 1) * (Math.exp(z) - 1);
    case 'selu':
      return z > 0 ? SELU_SCALE * z : SELU_SCALE * SELU_ALPHA * (Math.exp(z) - 1);
    case 'sigmoid':
      return sigmoid(z);
    case 'hardSigmoid':
      return Math.min(Math.max(0.2 * z + 0.5, 0), 1);
    case 'tanh':
      return Math.tanh(z);
    case 'softplus':
      return softplus(z);
    case 'softsign':
      return z / (1 + Math.abs(z));
    case 'swish':
      return z * sigmoid(z);
    case 'mish':
      return z * Math.tanh(softplus(z));
    case 'gelu':
      return 0.5 * z * (1 + erf(z / Math.SQRT2));
    case 'gelu_new':
      return 0.5 * z * (1 + Math.tanh(Math.sqrt(2 / Math.PI) * (z + 0.044715 * z ** 3)));
    default:
      return NaN;
  }
}

/** f'(z): exact for the piecewise functions, a central difference for the smooth rest. */
export function activationDerivative(name: string, z: number, param = 0): number {
  switch (name) {
    case 'linear':
    case 'softmax': // callers treat softmax as passing the score before it (Simonyan et al.)
      return 1;
    case 'relu':
      return z > 0 ? 1 : 0;
    case 'relu6':
      return z > 0 && z < 6 ? 1 : 0;
    case 'reluMax':
      return z > 0 && z < param ? 1 : 0;
    case 'leakyRelu':
      return z < 0 ? param : 1;
    case 'hardSigmoid':
      return z > -2.5 && z < 2.5 ? 0.2 : 0;
    case 'sigmoid': {
      const s = sigmoid(z);
      return s * (1 - s);
    }
    case 'tanh':
      return 1 - Math.tanh(z) ** 2;
    default: {
      const h = 1e-4 * Math.max(1, Math.abs(z));
      return (activate(name, z + h, param) - activate(name, z - h, param)) / (2 * h);
    }
  }
}

/** Softmax of a vector, stable. */
export function softmax(values: ArrayLike<number>): number[] {
  let max = -Infinity;
  for (let i = 0; i < values.length; i++) max = Math.max(max, values[i]);
  const e = Array.from(values, (v) => Math.exp(v - max));
  const sum = e.reduce((a, b) => a + b, 0);
  return e.map((v) => v / sum);
}
