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

/**
 * Counts where room is short (the lenses, the narrow panel's layer list): exact below 10,000, then
 * one decimal (none from 100k to 1M): 1,792, 36.9k, 295k, 2.4M, 102.8M.
 */
export function formatCount(n: number): string {
  if (n < 10_000) return n.toLocaleString('en-US');
  return compactNumber(n, { fraction: n >= 100_000 && n < 1_000_000 ? 0 : 1 });
}
