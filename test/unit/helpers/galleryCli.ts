/** Runs the built CLI (dist/cli.js) as a child process, for the dataset-pass tests. */
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { repoRoot } from './build';

export interface CliRun {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

export const cliScript = join(repoRoot, 'dist', 'cli.js');

/** The same flags for every run of a comparison: one worker, wasm, single-threaded. */
export const SAME_MACHINE = ['--backend', 'wasm', '--threads', '1', '--workers', '1'];

export function runCli(args: string[], env: NodeJS.ProcessEnv = process.env): Promise<CliRun> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [cliScript, ...args], { env });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => (stderr += d));
    child.on('error', reject);
    child.on('close', (code, signal) => resolve({ code, signal, stdout, stderr }));
  });
}

/** Runs the jobs at most `parallel` at a time (the machine has few cores), in order of results. */
export async function runAll<T>(jobs: (() => Promise<T>)[], parallel = 2): Promise<T[]> {
  const results: T[] = new Array(jobs.length);
  let next = 0;
  const lane = async () => {
    while (next < jobs.length) {
      const i = next++;
      results[i] = await jobs[i]();
    }
  };
  await Promise.all(Array.from({ length: Math.min(parallel, jobs.length) }, lane));
  return results;
}
