// Mocha's spec reporter, plus a JSON results file (path in CNN_E2E_RESULTS) that the runner summarises.
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import Mocha from 'mocha';

const { EVENT_RUN_END, EVENT_TEST_PASS, EVENT_TEST_FAIL, EVENT_TEST_PENDING } =
  Mocha.Runner.constants;

interface TestRecord {
  fullTitle: string;
  state: 'passed' | 'failed' | 'pending';
  durationMs?: number;
  error?: string;
}

class SummaryReporter extends Mocha.reporters.Spec {
  constructor(runner: Mocha.Runner, options?: Mocha.MochaOptions) {
    super(runner, options);
    const records: TestRecord[] = [];
    const started = Date.now();
    runner.on(EVENT_TEST_PASS, (t) =>
      records.push({ fullTitle: t.fullTitle(), state: 'passed', durationMs: t.duration }),
    );
    runner.on(EVENT_TEST_PENDING, (t) =>
      records.push({ fullTitle: t.fullTitle(), state: 'pending' }),
    );
    // Also fires for failing hooks, which must count as failures.
    runner.on(EVENT_TEST_FAIL, (t, err) =>
      records.push({ fullTitle: t.fullTitle(), state: 'failed', error: String(err?.stack ?? err) }),
    );
    runner.once(EVENT_RUN_END, () => {
      const file =
        process.env.CNN_E2E_RESULTS ?? join(process.cwd(), '.test-artifacts', 'e2e-results.json');
      const count = (state: TestRecord['state']) => records.filter((r) => r.state === state).length;
      const stats = {
        passes: count('passed'),
        failures: count('failed'),
        pending: count('pending'),
        durationMs: Date.now() - started,
      };
      mkdirSync(dirname(file), { recursive: true });
      writeFileSync(file, JSON.stringify({ stats, tests: records }, null, 2));
    });
  }
}

export = SummaryReporter;
