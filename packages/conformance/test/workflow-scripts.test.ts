/**
 * The workflows' own run: scripts with what users type. scheduled-scaling.yml's script runs under bash with
 * an `aws` stand-in on PATH (Application Auto Scaling is not in the simulator) that records its arguments
 * and answers like the AWS CLI. Each bad input ends in one ::error:: line naming the input or the AWS operation.
 */
import { beforeAll, describe, expect, test } from '@jest/globals';
import { spawnSync } from 'node:child_process';
import { chmod, mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parse as parseYaml } from 'yaml';
import { repoPath } from '../src/index.js';

type Step = { id?: string; name?: string; run?: string };
async function script(workflow: string, pick: (s: Step) => boolean): Promise<string> {
  const wf = parseYaml(await readFile(repoPath(workflow), 'utf8')) as { jobs: Record<string, { steps: Step[] }> };
  const step = Object.values(wf.jobs).flatMap((j) => j.steps).find(pick);
  if (!step?.run) throw new Error(`no such step in ${workflow}`);
  return step.run;
}

function runBash(code: string, env: Record<string, string>) {
  const r = spawnSync('bash', ['-e', '-c', code], { env: { PATH: process.env.PATH!, ...env }, encoding: 'utf8' });
  const out = `${r.stdout}${r.stderr}`;
  return { status: r.status, out, errors: out.split('\n').filter((l) => l.startsWith('::error::')) };
}

describe('scheduled-scaling.yml script', () => {
  let dir: string;
  let code: string;
  beforeAll(async () => {
    code = await script('.github/workflows/scheduled-scaling.yml', (s) => s.name === 'set the minimum capacity');
    dir = await mkdtemp(join(tmpdir(), 'gantry-scaling-'));
    // The stand-in: records every call; FAIL_ON=<operation>[:<resource>] makes that call fail as the CLI does.
    await writeFile(
      join(dir, 'aws'),
      `#!/usr/bin/env bash
echo "$*" >> "${dir}/calls"
op=$2; resource=""
for a in "$@"; do case "$prev" in --resource-ids|--resource-id) resource=$a ;; esac; prev=$a; done
if [ -n "\${FAIL_ON:-}" ] && { [ "$FAIL_ON" = "$op" ] || [ "$FAIL_ON" = "$op:$resource" ]; }; then
  echo "" >&2; echo "An error occurred (AccessDeniedException) when calling the \${op} operation: User is not authorized" >&2; exit 254
fi
case "$op" in
  describe-scalable-targets) case "$resource" in *missing*) echo "None	None" ;; *) echo "1	10" ;; esac ;;
  register-scalable-target) ;;
esac
`,
    );
    await chmod(join(dir, 'aws'), 0o755);
  });
  const run = async (inputs: { services: string; min?: string; max?: string }, extra: Record<string, string> = {}) => {
    const calls = join(dir, 'calls');
    await writeFile(calls, '');
    const summary = join(dir, 'summary');
    const r = runBash(code, { PATH: `${dir}:${process.env.PATH}`, CLUSTER: 'prod', SERVICES: inputs.services, MIN_CAPACITY: inputs.min ?? '2', MAX_CAPACITY: inputs.max ?? '', GITHUB_STEP_SUMMARY: summary, ...extra });
    const lines = (await readFile(calls, 'utf8')).split('\n').filter(Boolean);
    return { ...r, registered: lines.filter((l) => l.includes('register-scalable-target')).map((l) => /service\/prod\/(\S+)/.exec(l)![1]) };
  };

  test.each([
    ['separate lines', 'web\nworker\nwebsocket', ['web', 'worker', 'websocket']],
    ['Windows line ends', 'web\r\nworker\r\n', ['web', 'worker']],
    ['commas and spaces', 'web, worker  websocket', ['web', 'worker', 'websocket']],
    ['a YAML block with blank lines', '\nweb\n\n  worker\n', ['web', 'worker']],
  ])('scales every service given on %s', async (_label, services, expected) => {
    const r = await run({ services });
    expect(r.errors).toEqual([]);
    expect(r.status).toBe(0);
    expect(r.registered).toEqual(expected);
  });

  test.each([
    ['min-capacity in words', { services: 'web', min: 'two' }, /^::error::input 'min-capacity' must be a whole number, got 'two'$/],
    ['a negative min-capacity', { services: 'web', min: '-1' }, /^::error::input 'min-capacity' must be a whole number/],
    ['max-capacity below min-capacity', { services: 'web', min: '5', max: '3' }, /^::error::input 'min-capacity' \(5\) is above input 'max-capacity' \(3\)$/],
    ['no service', { services: ' , \n' }, /^::error::input 'services' names no service$/],
    ['a service name with a slash', { services: 'web\nprod/worker' }, /^::error::input 'services' has 'prod\/worker', which is not an ECS service name/],
    ['a service without a scaling target', { services: 'web\nmissing' }, /^::error::service 'missing' in cluster 'prod' has no Application Auto Scaling target.*Nothing was changed\.$/],
    ['min above the current maximum', { services: 'web', min: '11' }, /^::error::input 'min-capacity' \(11\) is above the maximum 10 of 'web'; raise input 'max-capacity' too\. Nothing was changed\.$/],
  ])('refuses %s with one error line and no change', async (_label, inputs, message) => {
    const r = await run(inputs);
    expect(r.status).toBe(1);
    expect(r.errors).toEqual([expect.stringMatching(message)]);
    expect(r.registered).toEqual([]);
  });

  test('names the operation and says nothing changed when DescribeScalableTargets is denied', async () => {
    const r = await run({ services: 'web\nworker' }, { FAIL_ON: 'describe-scalable-targets' });
    expect(r.errors).toEqual([expect.stringMatching(/^::error::AWS application-autoscaling:DescribeScalableTargets failed: An error occurred \(AccessDeniedException\).*Nothing was changed\. Check inputs 'cluster', 'services' and 'region', and that the role allows application-autoscaling:DescribeScalableTargets\.$/)]);
    expect(r.registered).toEqual([]);
  });

  test('says which services were already changed when a later RegisterScalableTarget fails', async () => {
    const r = await run({ services: 'web\nworker' }, { FAIL_ON: 'register-scalable-target:service/prod/worker' });
    expect(r.status).toBe(1);
    expect(r.errors).toEqual([expect.stringMatching(/^::error::AWS application-autoscaling:RegisterScalableTarget failed: .*Already changed: the minimum of web\./)]);
  });
});
