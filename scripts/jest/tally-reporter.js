// Appends each jest run's counts to $GANTRY_TEST_TALLY (one line per workspace), so .ci/run can print
// one closing line for the whole monorepo: "tests: N passed, N failed, N skipped".
import { appendFileSync } from 'node:fs';

export default class TallyReporter {
  onRunComplete(_contexts, results) {
    const file = process.env.GANTRY_TEST_TALLY;
    if (!file) return;
    appendFileSync(file, `${results.numPassedTests} ${results.numFailedTests} ${results.numPendingTests + results.numTodoTests}\n`);
  }
}
