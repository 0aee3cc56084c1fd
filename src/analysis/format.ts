/** Numbers and shapes as the panel, the lenses and the messages write them. */

/** "28×28×6"; `?` for a free dimension. `separator` "x" where the text must stay ASCII. */
export function formatShape(shape: readonly (number | null)[], separator = '\u00d7'): string {
  return shape.map((d) => d ?? '?').join(separator);
}

const compactFormats = new Map<string, Intl.NumberFormat>();

/**
 * 48120 -> "48.1k", 1234567 -> "1.23M" (Intl's compact notation with the SI letters k, M, G, T).
 * `digits`: significant digits, or `{ fraction }` for a fixed count of decimals.
 */
export function compactNumber(n: number, digits: number | { fraction: number } = 3): string {
  const key = JSON.stringify(digits);
  let format = compactFormats.get(key);
  if (!format) {
    format = new Intl.NumberFormat('en-US', {
      notation: 'compact',
      ...(typeof digits === 'number'
        ? { maximumSignificantDigits: digits }
        : { minimumFractionDigits: digits.fraction, maximumFractionDigits: digits.fraction }),
    });
    compactFormats.set(key, format);
  }
  return format.format(n).replace('K', 'k').replace('B', 'G');
}
