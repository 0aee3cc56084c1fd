/**
 * NaN and infinite values in a forward pass: a diverged training run leaves NaN weights, and large
 * finite weights can overflow float32 on the way. Either way every later value is garbage and the
 * class probabilities become NaN (null in JSON): this names the first layer where it starts, and
 * whether its weights or the arithmetic are to blame, so the user is told instead of shown blanks.
 */

export interface NonFiniteCount {
  nan: number;
  infinite: number;
  total: number;
}

export function countNonFinite(values: ArrayLike<number>): NonFiniteCount {
  let nan = 0;
  let infinite = 0;
  for (let i = 0; i < values.length; i++) {
    const v = values[i];
    if (Number.isNaN(v)) nan++;
    else if (v === Infinity || v === -Infinity) infinite++;
  }
  return { nan, infinite, total: values.length };
}

function describeCount({ nan, infinite, total }: NonFiniteCount): string {
  const kind = nan && infinite ? 'NaN and infinite values' : nan ? 'NaN' : 'infinite values';
  return `${kind} (${nan + infinite} of ${total} values)`;
}

export interface ForwardPassValues {
  /** The model input after `preprocess`. */
  input: ArrayLike<number>;
  /** Every layer's output, in the order they run. */
  layers: readonly { name: string; data: ArrayLike<number> }[];
  /** The weights of a layer (all its variables, flattened). */
  weightsOf: (layerName: string) => ArrayLike<number>[];
}

const CONSEQUENCE = 'every later layer and the class probabilities are meaningless';

/** One warning for the first place a NaN or an infinity appears; none for a healthy pass. */
export function nonFiniteWarnings(pass: ForwardPassValues): string[] {
  const input = countNonFinite(pass.input);
  if (input.nan + input.infinite > 0) {
    return [
      `The model input holds ${describeCount(input)} for this image after preprocess; ${CONSEQUENCE}.`,
    ];
  }
  for (const layer of pass.layers) {
    const output = countNonFinite(layer.data);
    if (output.nan + output.infinite === 0) continue;
    const weights = pass.weightsOf(layer.name).map(countNonFinite);
    const bad = weights.reduce(
      (sum, w) => ({
        nan: sum.nan + w.nan,
        infinite: sum.infinite + w.infinite,
        total: sum.total + w.total,
      }),
      { nan: 0, infinite: 0, total: 0 },
    );
    const why =
      bad.nan + bad.infinite > 0
        ? `: its weights hold ${bad.nan + bad.infinite} ${bad.infinite ? 'NaN or infinite' : 'NaN'} values of ${bad.total}`
        : bad.total > 0
          ? ' (its weights are finite: the values overflow float32)'
          : '';
    return [
      `Layer '${layer.name}' outputs ${describeCount(output)} for this image${why}; ${CONSEQUENCE}.`,
    ];
  }
  return [];
}
