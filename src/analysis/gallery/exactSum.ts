// An exact sum of float64 values. Floating-point addition is not associative, so a mean summed
// image by image would depend on how the images were split between shards and in what order
// the parts were merged. Every finite double is an integer multiple of 2^-1074 (the smallest
// subnormal), so keeping the sum as that integer (a BigInt) makes addition exact, and the sum of a
// folder the same however it was split. Serialised canonically as `m p e` (m odd, in hex), e.g.
// "-1a3p-8" = -0x1a3 * 2^-8, so equal sums are equal strings.

const SCALE = 1074n;

/** `x` as an integer count of 2^-1074. Throws on NaN and infinities. */
export function scaledDouble(x: number): bigint {
  if (!Number.isFinite(x)) throw new RangeError(`cannot add ${x} to an exact sum`);
  if (x === 0) return 0n;
  const view = new DataView(new ArrayBuffer(8));
  view.setFloat64(0, x);
  const high = view.getUint32(0);
  const low = view.getUint32(4);
  const exponent = (high >>> 20) & 0x7ff;
  let mantissa = (BigInt(high & 0xfffff) << 32n) | BigInt(low);
  // Subnormal: mantissa * 2^-1074. Normal: (2^52 + mantissa) * 2^(exponent - 1075).
  if (exponent !== 0) mantissa = (mantissa | (1n << 52n)) << BigInt(exponent - 1);
  return high >>> 31 ? -mantissa : mantissa;
}

function trailingZeroBits(value: bigint): number {
  let zeros = 0;
  let v = value < 0n ? -value : value;
  while ((v & 0xffffffffn) === 0n) {
    v >>= 32n;
    zeros += 32;
  }
  while ((v & 1n) === 0n) {
    v >>= 1n;
    zeros += 1;
  }
  return zeros;
}

function bitLength(value: bigint): number {
  return (value < 0n ? -value : value).toString(2).length;
}

export class ExactSum {
  private scaled = 0n;

  add(x: number): void {
    this.scaled += scaledDouble(x);
  }

  addSum(other: ExactSum): void {
    this.scaled += other.scaled;
  }

  /** The sum rounded once to the nearest double (ties to even). */
  toNumber(): number {
    const value = this.scaled;
    if (value === 0n) return 0;
    const negative = value < 0n;
    let magnitude = negative ? -value : value;
    let exponent = -1074;
    // Keep 64 significant bits plus a sticky bit, so the one rounding by Number() is exact.
    const extra = bitLength(magnitude) - 64;
    if (extra > 0) {
      const dropped = magnitude & ((1n << BigInt(extra)) - 1n);
      magnitude = (magnitude >> BigInt(extra)) | (dropped !== 0n ? 1n : 0n);
      exponent += extra;
    }
    // Scale in two steps: 2^exponent alone can overflow or underflow a double.
    const half = Math.trunc(exponent / 2);
    const result = Number(magnitude) * 2 ** half * 2 ** (exponent - half);
    return negative ? -result : result;
  }

  toString(): string {
    if (this.scaled === 0n) return '0';
    const zeros = trailingZeroBits(this.scaled);
    const odd = this.scaled >> BigInt(zeros);
    return `${odd.toString(16)}p${zeros - Number(SCALE)}`;
  }

  static parse(text: string): ExactSum {
    const sum = new ExactSum();
    if (text === '0') return sum;
    const match = /^(-?[0-9a-f]+)p(-?\d+)$/.exec(text);
    if (!match) throw new SyntaxError(`'${text}' is not an exact sum (mantissa p exponent)`);
    const [, mantissa, exponentText] = match;
    const negative = mantissa.startsWith('-');
    const odd = BigInt(`0x${negative ? mantissa.slice(1) : mantissa}`);
    const shift = Number(exponentText) + Number(SCALE);
    if (shift < 0 || shift > 4096 || odd === 0n)
      throw new RangeError(`exact sum '${text}' is out of range`);
    sum.scaled = (negative ? -odd : odd) << BigInt(shift);
    return sum;
  }
}
