/** Finds the user's own source line in a stack trace (source maps already applied by Node). */
import { resolve, sep } from 'node:path';
import type { SourceLocation } from '../errors';

const FRAME = /\(?((?:[A-Za-z]:)?[^():\s]+):(\d+):(\d+)\)?\s*$/;

export function userFrame(stack: string | undefined, userRoot: string): SourceLocation | undefined {
  if (!stack) return undefined;
  const root = resolve(userRoot) + sep;
  for (const line of stack.split('\n').slice(1)) {
    const match = FRAME.exec(line.trim());
    if (!match) continue;
    const file = match[1].replace(/^file:\/\//, '');
    if (!file.startsWith(root) || file.includes(`${sep}node_modules${sep}`)) continue;
    if (file.endsWith('.cjs')) continue; // an unmapped line of the bundle itself
    return { file, line: Number(match[2]), column: Number(match[3]) };
  }
  return undefined;
}

/** The stack cut to the user's frames and the first frame after them, for `--verbose` and logs. */
export function trimStack(stack: string | undefined): string | undefined {
  if (!stack) return undefined;
  const lines = stack.split('\n');
  const cut = lines.findIndex((l) => l.includes('loadModelModule') || l.includes('node:internal'));
  return (cut > 0 ? lines.slice(0, cut) : lines).join('\n');
}
