// Issue 9's reliability corpus: every fault and bad-input case is one row of a table (case, fault,
// expected code or success, expected state on the server and on disk), run against the BUILT CLI and
// ftrack-local (one row, disk full, runs core's EncodeMedia in-process). The table is printed at the end.
import { afterAll, afterEach, beforeAll, beforeEach, describe, it } from 'vitest';
import { Harness } from './harness.js';
import { AREAS } from './cases/index.js';
import { printTable, record } from './table.js';

const h = new Harness();

beforeAll(async () => {
  await h.start();
}, 300_000);

beforeEach(async () => {
  await h.beginRow();
});

afterEach(async () => {
  await h.endRow();
});

afterAll(async () => {
  printTable(AREAS);
  await h.stop();
});

for (const [area, cases] of Object.entries(AREAS)) {
  describe(area, () => {
    for (const row of cases) {
      it(`${row.name} → ${row.expected}`, { timeout: row.timeoutMs ?? 120_000 }, async () => {
        // Replaced when the row ends; stays if the test times out.
        record({ area, row, passed: false, reason: 'did not finish (test timeout)' });
        try {
          await row.run(h);
          record({ area, row, passed: true });
        } catch (error) {
          record({ area, row, passed: false, reason: String((error as Error).message ?? error).split('\n')[0] ?? '' });
          throw error;
        }
      });
    }
  });
}
