// The cluster recipes in deploy/ run here, as the scheduler would run them: the Kubernetes Indexed
// Job's container command with JOB_COMPLETION_INDEX set, the Slurm array script with
// SLURM_ARRAY_TASK_ID set, and the GNU parallel script as is. Each merged result must be the
// bytes of one run without --shard, so a recipe that rots (a renamed flag, a wrong index) fails.
import * as assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as yaml from 'js-yaml';
import { ensureBuilt, repoRoot } from './helpers/build';
import { runAll, runCli, type CliRun } from './helpers/galleryCli';
import { writeEdgeImages } from './helpers/edgeImages';

const deploy = join(repoRoot, 'deploy');
const model = join(__dirname, '..', 'fixtures', 'gallery', 'edges.ts');
const SHARDS = 3;

function run(command: string, args: string[], env: Record<string, string>): Promise<CliRun> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { env: { ...process.env, ...env }, cwd: tmpdir() });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => (stderr += d));
    child.on('error', reject);
    child.on('close', (code, signal) => resolve({ code, signal, stdout, stderr }));
  });
}

interface Container {
  command: string[];
  args: string[];
  env: { name: string; value: string }[];
}

describe('cluster recipes (deploy/)', function () {
  this.timeout(600_000);
  let dir: string;
  let images: string;
  let single: Buffer;
  const where = (name: string) => join(dir, name);
  /** What every recipe is pointed at: the edge model over the edge images. */
  const target = () => ({ CNN_INSPECTOR: repoRoot, MODEL: model, LAYER: 'auto', IMAGES: images });

  before(async () => {
    ensureBuilt();
    dir = mkdtempSync(join(tmpdir(), 'cluster-recipes-'));
    images = where('images');
    writeEdgeImages(images);
    const out = where('single.json');
    // The recipes leave backend and threads at their defaults and run one worker per CPU asked for.
    const r = await runCli(['gallery', model, '--folder', images, '--workers', '1', '--out', out]);
    assert.equal(r.code, 0, r.stderr);
    single = readFileSync(out);
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  async function mergedEqualsSingle(out: string): Promise<void> {
    const parts = readdirSync(out)
      .filter((f) => /^part-\d+\.json$/.test(f))
      .map((f) => join(out, f));
    assert.equal(parts.length, SHARDS, `parts in ${out}: ${readdirSync(out).join(', ')}`);
    const merged = join(out, 'gallery.json');
    const merge = await runCli(['merge', ...parts, '--out', merged]);
    assert.equal(merge.code, 0, merge.stderr);
    assert.ok(readFileSync(merged).equals(single), 'the merged parts differ from one run');
  }

  it('Kubernetes: the Indexed Job container command, JOB_COMPLETION_INDEX = 0..n-1', async () => {
    const job = yaml.load(readFileSync(join(deploy, 'kubernetes', 'gallery-job.yaml'), 'utf8')) as {
      kind: string;
      spec: {
        completionMode: string;
        completions: number;
        template: { spec: { containers: Container[] } };
      };
    };
    assert.equal(job.kind, 'Job');
    assert.equal(job.spec.completionMode, 'Indexed');
    const [container] = job.spec.template.spec.containers;
    const env = Object.fromEntries(container.env.map((e) => [e.name, e.value]));
    assert.equal(Number(env.SHARDS), job.spec.completions, 'SHARDS must equal completions');
    const [command, ...commandArgs] = container.command;
    const out = where('k8s');
    const runs = await runAll(
      Array.from(
        { length: SHARDS },
        (_, i) => () =>
          run(command, [...commandArgs, ...container.args], {
            ...env,
            ...target(),
            OUT: out,
            WORKERS: '1',
            SHARDS: String(SHARDS), // as completions: 3 would set it
            JOB_COMPLETION_INDEX: String(i),
          }),
      ),
    );
    runs.forEach((r) => assert.equal(r.code, 0, r.stderr));
    await mergedEqualsSingle(out);
  });

  it('Slurm: the array script, SLURM_ARRAY_TASK_ID from a 1-based array', async () => {
    const script = join(deploy, 'slurm', 'gallery-array.sh');
    assert.match(readFileSync(script, 'utf8'), /^#SBATCH --array=0-7$/m);
    const out = where('slurm');
    // As `sbatch --array=1-3 --cpus-per-task=1` would run it: tasks 1, 2, 3 are shards 0, 1, 2.
    const runs = await runAll(
      Array.from(
        { length: SHARDS },
        (_, i) => () =>
          run('bash', [script], {
            ...target(),
            OUT: out,
            SLURM_ARRAY_TASK_ID: String(i + 1),
            SLURM_ARRAY_TASK_MIN: '1',
            SLURM_ARRAY_TASK_COUNT: String(SHARDS),
            SLURM_CPUS_PER_TASK: '1',
          }),
      ),
    );
    runs.forEach((r) => assert.equal(r.code, 0, r.stderr));
    await mergedEqualsSingle(out);
  });

  it('Slurm: refuses to run outside a job array, saying why', async () => {
    const r = await run('bash', [join(deploy, 'slurm', 'gallery-array.sh')], {
      ...target(),
      OUT: where('slurm-none'),
      SLURM_ARRAY_TASK_ID: '0',
    });
    assert.notEqual(r.code, 0);
    assert.match(r.stderr, /run as a job array/);
  });

  it('GNU parallel: the script runs n shards and merges them', async () => {
    const out = where('parallel with space');
    const r = await run(
      'bash',
      [join(deploy, 'parallel', 'gallery.sh'), model, images, 'auto', out, String(SHARDS)],
      {},
    );
    assert.equal(r.code, 0, r.stderr);
    assert.ok(readFileSync(join(out, 'gallery.json')).equals(single), 'parallel result differs');
    await mergedEqualsSingle(out);
  });
});
