// The README's `--unit` example is a real run: the command it shows is run here, and the numbers
// it prints are compared with the JSON that run writes. The receptive field is also derived by
// hand: LeNet's conv1 5x5 'same' gives (size 5, jump 1, padding 2), pool1 2/2 (6, 2, 2), conv2
// 5x5 'valid' (6 + 4 * 2 = 14, 2, 2); unit (3, 9) sees rows -2 + 2 * 3 = 4 .. 17 and columns
// -2 + 2 * 9 = 16 .. 29, clipped to the 28x28 input: [4, 16, 18, 28).
import * as assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ensureBuilt, repoRoot } from './helpers/build';

function readmeUnitExample(): { command: string; json: string } {
  const readme = readFileSync(join(repoRoot, 'README.md'), 'utf8');
  const command = /npx cnn-inspector report (examples\/lenet\.ts[^`]*?--unit \S+)/s.exec(readme);
  const json = /```jsonc\n("unit": \{.*?\n\})\n```/s.exec(readme);
  assert.ok(command && json, 'the README has a --unit command and its JSON');
  return { command: command[1], json: json[1] };
}

/** The number shown after `"key": `, at its first place followed by `then` (any text by default). */
function numberAfter(text: string, key: string, then = ''): number {
  const m = new RegExp(`"${key}": (-?[0-9.]+)${then}`).exec(text);
  assert.ok(m, `the README example shows "${key}"`);
  return Number(m[1]);
}

describe('README examples', function () {
  this.timeout(120_000);

  it('the --unit example shows what the CLI writes for that command', () => {
    ensureBuilt();
    const { command, json } = readmeUnitExample();
    const args = command.replace(/\\\n/g, ' ').split(/\s+/).filter(Boolean);
    const dir = mkdtempSync(join(tmpdir(), 'cnn-readme-'));
    try {
      const out = join(dir, 'report.json');
      const jsonAt = args.indexOf('--json');
      args[jsonAt + 1] = out;
      const run = spawnSync(
        process.execPath,
        [join(repoRoot, 'dist', 'cli.js'), 'report', ...args, '--backend', 'wasm'],
        { cwd: repoRoot, encoding: 'utf8', timeout: 120_000 },
      );
      assert.equal(run.status, 0, run.stderr);
      const unit = JSON.parse(readFileSync(out, 'utf8')).unit;
      const shown = /"receptiveField": (\[[^\]]*\])/.exec(json)!;
      assert.deepEqual(JSON.parse(shown[1]), [4, 16, 18, 28], 'derived by hand');
      assert.deepEqual(unit.receptiveField, [4, 16, 18, 28]);
      assert.deepEqual(unit.position, JSON.parse(/"position": (\[[^\]]*\])/.exec(json)![1]));
      const close = (key: string, actual: number, then = '') =>
        assert.ok(
          Math.abs(numberAfter(json, key, then) - actual) <= 5e-5,
          `README "${key}" ${numberAfter(json, key, then)} vs the run's ${actual}`,
        );
      close('value', unit.value);
      close('sum', unit.arithmetic.terms[0].sum, ' \\}');
      close('sum', unit.arithmetic.sum, ', "bias"');
      close('bias', unit.arithmetic.bias);
      close('preActivation', unit.arithmetic.preActivation);
      close('featureMapValue', unit.arithmetic.featureMapValue);
      assert.equal(unit.arithmetic.terms.length, 6);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
