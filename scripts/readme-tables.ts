// Rewrites the inputs/outputs tables in every action README from its action.yml, between the markers
// <!-- tables:start --> and <!-- tables:end -->. The contract test fails when they drift.
import { readdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { readActionMetadata, readmeTables } from '@gantry/local-runner';

const root = join(import.meta.dirname, '..', 'actions');
for (const name of await readdir(root)) {
  const dir = join(root, name);
  const readmePath = join(dir, 'README.md');
  const readme = await readFile(readmePath, 'utf8').catch(() => undefined);
  if (readme === undefined) continue;
  const tables = readmeTables(await readActionMetadata(dir));
  const next = readme.replace(/<!-- tables:start -->[\s\S]*<!-- tables:end -->/, `<!-- tables:start -->\n${tables}\n<!-- tables:end -->`);
  if (next !== readme) {
    await writeFile(readmePath, next);
    console.log(`updated ${readmePath}`);
  }
}
