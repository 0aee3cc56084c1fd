/**
 * How well an input file fits a model's input, for the pickers: images that already have the
 * model's channels and size come first (a 28x28 grey picture for LeNet), and only files whose
 * content is a signal are offered to 1-D models (decided by parsing them, not by their name).
 * Plain data in, plain data out: the pickers read the files, this module decides.
 */
import type { ImageHeader } from './image/imageHeader';
import { parseCsvSignal, parseJsonSignal } from './explain/signal';

/** 0: as the model takes it; 1: right channels, resized; 2: channels converted (and resized). */
export type FitRank = 0 | 1 | 2;

export interface ImageFit {
  rank: FitRank;
  /** What the picture is and what happens to it, e.g. "28×28 grey, as the model takes it". */
  note: string;
}

const channelWord = (channels: number) => (channels === 1 ? 'grey' : 'colour');

/**
 * `inputShape` is the model's input without the batch axis, [height, width, channels]; a free
 * size (null) fits any size.
 */
export function imageFit(header: ImageHeader, inputShape: readonly (number | null)[]): ImageFit {
  const [height, width, channels] = inputShape;
  const what = `${header.width}\u00d7${header.height} ${channelWord(header.channels)}`;
  const sameSize =
    (height === null || height === header.height) && (width === null || width === header.width);
  // Models with 3 channels take grey pictures as copies of the grey value, so grey is "converted";
  // a model with another channel count (2, 4) takes neither as it is.
  if (channels !== header.channels) {
    const into = channels === 1 || channels === 3 ? channelWord(channels) : `${channels} channels`;
    return { rank: 2, note: `${what}: converted to ${into}${sameSize ? '' : ', resized'}` };
  }
  if (!sameSize) return { rank: 1, note: `${what}: resized to ${width}\u00d7${height}` };
  return { rank: 0, note: `${what}, as the model takes it` };
}

export interface SignalFit {
  /** Whether the model can take it as it is (channels, and length when the model fixes it). */
  fits: boolean;
  /** e.g. "11 steps, 1 channel" or "40 steps, 2 channels: the model takes 1 channel". */
  note: string;
}

const plural = (n: number, one: string, many = `${one}s`) =>
  `${n.toLocaleString('en-US')} ${n === 1 ? one : many}`;

/**
 * Whether a .csv / .json file's text is a signal, and whether it fits the model's input
 * [length, channels]; undefined when the text is not a signal at all (a training log, a
 * configuration, a model topology, an empty file).
 */
export function signalFit(
  text: string,
  extension: string,
  inputShape: readonly (number | null)[],
): SignalFit | undefined {
  let steps: number;
  let channels: number;
  try {
    const signal =
      extension.toLowerCase() === '.json'
        ? parseJsonSignal(text, 'file')
        : parseCsvSignal(text, 'file');
    steps = signal.length;
    channels = signal.channels;
  } catch {
    return undefined;
  }
  if (channels === 0) return undefined;
  const [length, modelChannels] = inputShape;
  const what = `${plural(steps, 'step')}, ${plural(channels, 'channel')}`;
  if (modelChannels !== null && modelChannels !== undefined && channels !== modelChannels)
    return { fits: false, note: `${what}: the model takes ${plural(modelChannels, 'channel')}` };
  if (length !== null && length !== undefined && steps !== length)
    return { fits: false, note: `${what}: the model takes exactly ${plural(length, 'step')}` };
  return { fits: true, note: what };
}
