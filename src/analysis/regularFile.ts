/**
 * Reads a file only when it is a regular file of bounded size. A named pipe (FIFO) opened the
 * usual way blocks `open()` until a writer comes, which holds one of libuv's four I/O threads
 * forever (four such files and every later read of the process hangs); `/dev/zero` never ends.
 * So the file is opened with O_NONBLOCK (a FIFO then opens at once), and the open handle's own
 * `fstat` decides, which leaves no window for the path to be swapped between check and read.
 */
import { constants, type Stats } from 'node:fs';
import { open, stat } from 'node:fs/promises';

export class FileReadError extends Error {
  constructor(
    message: string,
    /** ENOENT, EACCES, ... for system errors; undefined for the checks made here. */
    readonly code?: string,
  ) {
    super(message);
    this.name = 'FileReadError';
  }
}

export interface ReadLimits {
  /** A larger file is refused before a byte of it is read. */
  maxBytes: number;
  /** What the limit protects, for the message: "an image of at most 100 megapixels". */
  limitReason?: string;
}

/** "a named pipe (FIFO)", or undefined for a regular file. */
export function describeNonRegular(info: Stats): string | undefined {
  if (info.isFile()) return undefined;
  if (info.isDirectory()) return 'a folder';
  if (info.isFIFO()) return 'a named pipe (FIFO)';
  if (info.isCharacterDevice()) return 'a character device';
  if (info.isBlockDevice()) return 'a block device';
  if (info.isSocket()) return 'a socket';
  return 'not a regular file';
}

export function formatBytes(bytes: number): string {
  if (bytes >= 1e9) return `${(bytes / 1e9).toFixed(1)} GB`;
  if (bytes >= 1e6) return `${(bytes / 1e6).toFixed(1)} MB`;
  if (bytes >= 1e3) return `${(bytes / 1e3).toFixed(1)} kB`;
  return `${bytes} bytes`;
}

function checkRegular(info: Stats, limits: ReadLimits): void {
  const kind = describeNonRegular(info);
  if (kind) throw new FileReadError(`it is ${kind}, not a regular file`);
  if (info.size > limits.maxBytes) {
    const why = limits.limitReason ? ` (${limits.limitReason})` : '';
    throw new FileReadError(
      `it is ${formatBytes(info.size)}, more than the ${formatBytes(limits.maxBytes)} accepted${why}`,
    );
  }
}

function systemError(error: unknown): FileReadError {
  const code = (error as NodeJS.ErrnoException).code;
  const message = code === 'ENOENT' ? 'no such file' : (error as Error).message;
  return new FileReadError(message, code);
}

/** The file's bytes; throws FileReadError with a reason that reads after "<file>: cannot read: ". */
export async function readRegularFile(path: string, limits: ReadLimits): Promise<Buffer> {
  // A first stat for the common cases (a socket cannot even be opened); the fstat below is the check
  // that counts.
  let info: Stats;
  try {
    info = await stat(path);
  } catch (error) {
    throw systemError(error);
  }
  checkRegular(info, limits);
  let handle;
  try {
    handle = await open(path, constants.O_RDONLY | (constants.O_NONBLOCK ?? 0));
  } catch (error) {
    throw systemError(error);
  }
  try {
    const opened = await handle.stat();
    checkRegular(opened, limits);
    // One byte more than the size: a file that grows while it is read is noticed, not cut short.
    const buffer = Buffer.allocUnsafe(opened.size + 1);
    let length = 0;
    for (;;) {
      const { bytesRead } = await handle.read(buffer, length, buffer.length - length, null);
      if (bytesRead === 0) break;
      length += bytesRead;
      if (length === buffer.length) throw new FileReadError('it changed while being read');
    }
    return buffer.subarray(0, length);
  } catch (error) {
    throw error instanceof FileReadError ? error : systemError(error);
  } finally {
    await handle.close();
  }
}

/**
 * The first `length` bytes (fewer for a shorter file) of a regular file of any size: enough to
 * read an image's header without reading the image. Same checks as readRegularFile.
 */
export async function readRegularFileStart(path: string, length: number): Promise<Buffer> {
  const anySize: ReadLimits = { maxBytes: Number.MAX_SAFE_INTEGER };
  let handle;
  try {
    checkRegular(await stat(path), anySize);
    handle = await open(path, constants.O_RDONLY | (constants.O_NONBLOCK ?? 0));
  } catch (error) {
    throw error instanceof FileReadError ? error : systemError(error);
  }
  try {
    checkRegular(await handle.stat(), anySize);
    const buffer = Buffer.alloc(length);
    const { bytesRead } = await handle.read(buffer, 0, length, 0);
    return buffer.subarray(0, bytesRead);
  } catch (error) {
    throw error instanceof FileReadError ? error : systemError(error);
  } finally {
    await handle.close();
  }
}
