/**
 * What the forward-pass benchmarks (benchmark.ts, benchmarkNative.ts) share: each engine or
 * backend runs in a child process of the same script, which times one model's passes and prints
 * its figures as one JSON line.
 */
import { spawnSync } from 'node:child_process';
import { performance } from 'node:perf_hooks';

export const ms = (v: number) => `${v.toFixed(v < 10 ? 1 : 0)} ms`;

/** The first pass (which compiles and warms up) and the median of `passes` more, in ms. */
export async function timePasses(
  session: { runInput(source: string): Promise<unknown> },
  image: string,
  passes: number,
): Promise<{ firstPassMs: number; medianPassMs: number }> {
  let started = performance.now();
  await session.runInput(image);
  const firstPassMs = performance.now() - started;
  const times: number[] = [];
  for (let i = 0; i < passes; i++) {
    started = performance.now();
    await session.runInput(image);
    times.push(performance.now() - started);
  }
  times.sort((a, b) => a - b);
  return { firstPassMs, medianPassMs: times[Math.floor(times.length / 2)] ?? firstPassMs };
}

/** The last line of `stdout` that is a JSON object, parsed. */
export function lastJsonLine(stdout: string): unknown {
  const line = stdout
    .split('\n')
    .reverse()
    .find((l) => l.startsWith('{'));
  return line ? JSON.parse(line) : undefined;
}

/**
 * Runs `script --child ...args` in a new Node process (with this one's flags, so that it also
 * works from source under tsx): the figures it prints, or the last line of its errors.
 */
export function runChildScript<T>(script: string, args: string[]): T | string {
  const child = spawnSync(process.execPath, [...process.execArgv, script, '--child', ...args], {
    encoding: 'utf8',
    maxBuffer: 1 << 20,
  });
  return (
    (lastJsonLine(child.stdout) as T | undefined) ??
    child.stderr.trim().split('\n').pop() ??
    'failed'
  );
}
