import { afterAll, describe, expect, it } from '@jest/globals';
import { randomBytes } from 'node:crypto';
import { mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startSimulator, type Simulator } from '@gantry/aws-sim';
import { runAction, runOrSkip } from '@gantry/local-runner';

// The simulator in registry mode serves ECR at the registry's host (e.g. 127.0.0.1:5000), as an
// AWS-compatible peer would. Same rule as the simulator's registry tests: skip with a visible message when no
// registry answers, fail instead when GANTRY_REQUIRE_DOCKER=1 (CI; runOrSkip).
const registryHost = process.env.GANTRY_TEST_REGISTRY ?? '127.0.0.1:5000';
const registryUrl = `http://${registryHost}`;
const reachable = await fetch(`${registryUrl}/v2/`, { signal: AbortSignal.timeout(1500) })
  .then((r) => r.status === 200 || r.status === 401)
  .catch(() => false);

const actionDir = join(import.meta.dirname, '..');

const run = runOrSkip('register-task-definition in registry mode', reachable, `no OCI registry answers at ${registryUrl}/v2/ (set GANTRY_TEST_REGISTRY)`);

(run ? describe : describe.skip)('register-task-definition with ECR at the registry host (simulator registry mode)', () => {
  let sim: Simulator | undefined;
  afterAll(async () => sim?.stop());

  it('treats the account registry host as ECR: verifies, pins by digest, masks the token', async () => {
    sim = await startSimulator({ port: 0, registryUrl });
    const repositoryName = `gantry-test/rtd-${Date.now().toString(36)}${randomBytes(3).toString('hex')}`;
    const { imageDigest } = await sim.control.seedImage!({ repositoryName, tags: ['v2'] });
    const cwd = await mkdtemp(join(tmpdir(), 'gantry-rtd-reg-'));
    const definition = {
      family: 'app',
      networkMode: 'awsvpc',
      requiresCompatibilities: ['FARGATE'],
      cpu: '256',
      memory: '512',
      containerDefinitions: [{ name: 'web', image: `${registryHost}/${repositoryName}:latest`, essential: true }],
    };
    await writeFile(join(cwd, 'td.json'), JSON.stringify(definition));
    const run = (tag: string) =>
      runAction(actionDir, {
        cwd,
        inputs: { 'task-definition': 'td.json', containers: `web=${registryHost}/${repositoryName}:${tag}`, 'log-defaults': 'false', 'add-run-labels': 'false' },
        env: { ...sim!.env, RUNNER_TEMP: cwd },
      });

    const result = await run('v2');
    expect(result.errors).toEqual([]);
    expect(result.exitCode).toBe(0);
    const rendered = JSON.parse(await readFile(result.outputs['task-definition-file']!, 'utf8'));
    expect(rendered.containerDefinitions[0].image).toBe(`${registryHost}/${repositoryName}@${imageDigest}`);
    expect(result.log).not.toContain('is not an ECR image');
    // The authorization token the host came from is masked (base64 of "AWS:" starts every ECR token).
    expect(result.log).toMatch(/::add-mask::QVdTO/);

    // A tag the registry does not have is now an error, not an unverified image.
    const missing = await run('nope');
    expect(missing.exitCode).toBe(1);
    expect(missing.errors).toEqual([expect.stringMatching(/does not exist in ECR/)]);
  });
});
