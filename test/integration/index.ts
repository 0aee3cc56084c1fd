// Test runner loaded by VS Code's extension host (payload extensionTestsPath): runs every bundled
// dist/test/integration/*.integration.test.js with mocha and writes .test-artifacts/integration-results.json.
import { mkdirSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import Mocha from 'mocha';
import * as vscode from 'vscode';
import { RESTRICTED_SUITE } from './restrictedSuite';

// This file is bundled to <repo>/dist/test/integration/index.js.
const repoRoot = join(__dirname, '..', '..', '..');

interface TestRecord {
  fullTitle: string;
  state: 'passed' | 'failed' | 'pending';
  durationMs?: number;
  error?: string;
}

export function run(): Promise<void> {
  const mocha = new Mocha({ ui: 'bdd', color: false, timeout: 60_000, reporter: 'spec' });
  // One suite, two runs: in a restricted (untrusted) workspace only the suites whose title says
  // so run; in a trusted one, everything else.
  mocha.grep(RESTRICTED_SUITE);
  if (vscode.workspace.isTrusted) mocha.invert();
  const testFiles = readdirSync(__dirname)
    .filter((f) => f.endsWith('.integration.test.js'))
    .sort();
  for (const f of testFiles) mocha.addFile(join(__dirname, f));

  const records: TestRecord[] = [];
  const started = Date.now();
  return new Promise((resolve, reject) => {
    try {
      const runner = mocha.run((failures) => {
        const passes = records.filter((r) => r.state === 'passed').length;
        const failed = records.filter((r) => r.state === 'failed').length;
        const results = {
          files: testFiles,
          stats: {
            passes,
            failures: failed,
            pending: records.filter((r) => r.state === 'pending').length,
            durationMs: Date.now() - started,
          },
          tests: records,
        };
        const dir = join(repoRoot, '.test-artifacts');
        mkdirSync(dir, { recursive: true });
        const name = vscode.workspace.isTrusted ? 'integration' : 'integration-restricted';
        writeFileSync(join(dir, `${name}-results.json`), JSON.stringify(results, null, 2));
        console.log(`${passes} passed, ${failed} failed`);
        if (failures > 0 || testFiles.length === 0) {
          reject(
            new Error(
              testFiles.length
                ? `${failures} integration test(s) failed`
                : 'no integration tests found',
            ),
          );
        } else {
          resolve();
        }
      });
      runner.on('pass', (t) =>
        records.push({ fullTitle: t.fullTitle(), state: 'passed', durationMs: t.duration }),
      );
      runner.on('pending', (t) => records.push({ fullTitle: t.fullTitle(), state: 'pending' }));
      // 'fail' also fires for hooks; they count as failures too.
      runner.on('fail', (t, err) =>
        records.push({
          fullTitle: t.fullTitle(),
          state: 'failed',
          error: String(err?.stack ?? err),
        }),
      );
    } catch (e) {
      reject(e);
    }
  });
}
