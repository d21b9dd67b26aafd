// docs/simulator.md's blue/green walk-through, run as written: every ```sh block of the section, in order,
// in one bash session with the AWS CLI against the simulator the first block starts (on a free port), and
// each block's output compared with the ```text block under it.
// The behaviours it shows are cited in packages/aws-sim/README.md ("Deployment strategies").
import { afterAll, describe, expect, test } from '@jest/globals';
import { spawn, spawnSync } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import { codeBlocks, repoPath, repoRoot } from '../src/index.js';

const SECTION = '## Walk-through: a blue/green web service, an alarm and a hook';
const MARK = '@@gantry-walkthrough-block';

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer().listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
    server.on('error', reject);
  });
}

/** The section's shell blocks, each with the expected output of the ```text block right after it (if any). */
async function walkthrough() {
  const page = await readFile(repoPath('docs/simulator.md'), 'utf8');
  const start = page.indexOf(SECTION);
  const end = page.indexOf('\n## ', start + SECTION.length);
  const blocks = codeBlocks(page.slice(start, end === -1 ? undefined : end));
  return blocks.flatMap((b, i) => (b.lang === 'sh' ? [{ code: b.code, expected: blocks[i + 1]?.lang === 'text' ? blocks[i + 1]!.code : undefined }] : []));
}

const normalise = (s: string) =>
  s
    .split('\n')
    .map((l) => l.trim().replace(/\s+/g, ' '))
    .filter(Boolean)
    .join('\n');

describe('docs/simulator.md walk-through', () => {
  let group: number | undefined;
  afterAll(() => {
    // The first block leaves the simulator running in the background of the session's process group.
    if (group) {
      try {
        process.kill(-group, 'SIGTERM');
      } catch {
        // already gone
      }
    }
  });

  test('the AWS CLI is installed (the walk-through runs it, as a reader would)', () => {
    const r = spawnSync('aws', ['--version'], { encoding: 'utf8' });
    expect([r.error?.message, r.status]).toEqual([undefined, 0]);
  });

  test('every command runs and prints what the page shows', async () => {
    const steps = await walkthrough();
    expect(steps.length).toBeGreaterThanOrEqual(7);
    expect(steps[0]!.code).toMatch(/npx gantry-sim start --port 4566 --speed 0/);
    const port = await freePort();
    // Markers on their own line (a block's last output may not end with a newline, e.g. curl's `{}`).
    const script = ['set -euo pipefail', ...steps.flatMap((s, i) => [`printf '\\n${MARK} ${i}\\n'`, s.code.replaceAll('4566', String(port))]), `printf '\\n${MARK} end\\n'`].join('\n');
    const child = spawn('bash', ['-c', script], { cwd: repoRoot, detached: true, env: { ...process.env, AWS_EC2_METADATA_DISABLED: 'true', AWS_CONFIG_FILE: '/dev/null', AWS_SHARED_CREDENTIALS_FILE: '/dev/null' } });
    group = child.pid;
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => (stderr += d));
    // 'exit', not 'close': the simulator the script left in the background may hold inherited pipes.
    const status = await new Promise<number | null>((resolve) => child.on('exit', resolve));
    await new Promise((resolve) => setTimeout(resolve, 200));
    expect([status, stderr.split('\n').slice(-15).join('\n')]).toEqual([0, expect.anything()]);
    const outputs = stdout.split(new RegExp(`^${MARK} .*$`, 'm')).slice(1);
    expect(outputs).toHaveLength(steps.length + 1);
    steps.forEach((step, i) => {
      if (step.expected !== undefined) expect([i, normalise(outputs[i]!)]).toEqual([i, normalise(step.expected)]);
    });
  }, 900_000);
});
