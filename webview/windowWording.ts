/**
 * The arithmetic dialog's sentence about a unit's input window, in plain English: "steps 10–11 of
 * an 11-step input", "rows 4–8 and columns 8–12 of a 14×14 input", with singular and plural
 * nouns and "a" or "an" as the number is spoken. No DOM, so the unit tests read every sentence.
 */

/** "1 step", "2 steps", "1,024 zero rows". */
export function plural(n: number, one: string, many = `${one}s`): string {
  return `${n.toLocaleString('en-US')} ${n === 1 ? one : many}`;
}

/**
 * "a" or "an" before a number as it is read aloud: an 8, an 11, an 18, an 80, an 800, an 11,000,
 * but a 1, a 110 ("a hundred and ten"), a 1,100 ("one thousand one hundred").
 */
export function articleFor(n: number): 'a' | 'an' {
  const digits = String(Math.trunc(Math.abs(n)));
  if (digits.startsWith('8')) return 'an';
  // The leading group of three digits is what is said first: "eleven thousand", "eighteen million".
  const lead = digits.slice(0, digits.length % 3 || 3);
  return lead === '11' || lead === '18' ? 'an' : 'a';
}

/** The window facts the sentence needs (a subset of the arithmetic result). */
export interface WindowFacts {
  kernelSize: number[];
  windowStart: number[];
  dilation: number[];
  strides: number[];
  inputSize: number[];
  padding: string;
  padBefore: number[];
  /** Per tap: 1 when the tap reads the zero padding. */
  padded: ArrayLike<number>;
}

const DASH = '\u2013';
const TIMES = '\u00d7';

/** A position with a minus sign (a window starting in the zero padding has a negative start). */
const position = (n: number) => (n < 0 ? `\u2212${-n}` : String(n));

function span(one: string, many: string, first: number, last: number, every: number): string {
  if (first === last) return `${one} ${position(first)}`;
  // "rows 4–8", but "rows −2 to 2": a dash after a minus sign reads as a subtraction.
  const range =
    first < 0
      ? `${position(first)} to ${position(last)}`
      : `${position(first)}${DASH}${position(last)}`;
  return `${many} ${range}${every > 1 ? ` (every ${every}${ordinalSuffix(every)})` : ''}`;
}

function ordinalSuffix(n: number): string {
  const tens = n % 100;
  if (tens >= 11 && tens <= 13) return 'th';
  return ['th', 'st', 'nd', 'rd'][n % 10] ?? 'th';
}

function stepsText(a: WindowFacts): string {
  const steps = a.inputSize[0];
  const [stride] = a.strides;
  return `${span('step', 'steps', a.windowStart[0], a.windowStart[0] + (a.kernelSize[0] - 1) * a.dilation[0], a.dilation[0])} of ${articleFor(steps)} ${steps}-step input \u00b7 stride ${stride} (the next unit's window starts ${plural(stride, 'step')} further)`;
}

function gridText(a: WindowFacts): string {
  const [height, width] = a.inputSize;
  const end = (i: number) => a.windowStart[i] + (a.kernelSize[i] - 1) * a.dilation[i];
  const rows = span('row', 'rows', a.windowStart[0], end(0), a.dilation[0]);
  const columns = span('column', 'columns', a.windowStart[1], end(1), a.dilation[1]);
  const [down, right] = a.strides;
  const next = `${plural(down, 'row')} down or ${plural(right, 'column')} right`;
  const stride = down === right ? String(down) : `${down}${TIMES}${right}`;
  return `${rows} and ${columns} of ${articleFor(height)} ${height}${TIMES}${width} input \u00b7 stride ${stride} (the next unit's window starts ${next})`;
}

function paddingText(a: WindowFacts): string {
  const before = a.padBefore.some((p) => p > 0);
  const readsPadding = Array.from(a.padded).some((p) => p === 1);
  if (!before && !readsPadding) return `padding '${a.padding}'`;
  if (!before) return `padding '${a.padding}' (this window reaches the zeros after the end)`;
  if (a.padBefore.length === 1)
    return `padding '${a.padding}': ${plural(a.padBefore[0], 'zero')} before the first step`;
  const [above, left] = a.padBefore;
  return `padding '${a.padding}': ${plural(above, 'zero row')} above, ${plural(left, 'zero column')} to the left`;
}

export function describeWindow(a: WindowFacts): string {
  const where = a.kernelSize.length === 2 ? gridText(a) : stepsText(a);
  return `Window: ${where} \u00b7 ${paddingText(a)}`;
}
