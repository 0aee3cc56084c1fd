/** Top-k classes of a classifier output, as probabilities. */
export interface ClassScore {
  index: number;
  label: string;
  probability: number;
}

/**
 * Values that already form a distribution (a softmax output) are used as they are; anything else
 * (logits) goes through a softmax first.
 */
export function topClasses(
  scores: Float32Array,
  labels: string[] | undefined,
  k = 5,
): ClassScore[] {
  if (scores.length < 2) return [];
  const probabilities = isDistribution(scores) ? Array.from(scores) : softmax(scores);
  return probabilities
    .map((probability, index) => ({
      index,
      label: labels?.[index] ?? `class ${index}`,
      probability,
    }))
    .sort((a, b) => b.probability - a.probability)
    .slice(0, k);
}

function isDistribution(values: Float32Array): boolean {
  let sum = 0;
  for (const v of values) {
    if (v < 0 || v > 1 || !Number.isFinite(v)) return false;
    sum += v;
  }
  return Math.abs(sum - 1) < 1e-3;
}

function softmax(values: Float32Array): number[] {
  const max = Math.max(...values);
  const exps = Array.from(values, (v) => Math.exp(v - max));
  const total = exps.reduce((a, b) => a + b, 0);
  return exps.map((e) => e / total);
}
