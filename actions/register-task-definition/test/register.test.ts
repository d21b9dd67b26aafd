import { afterEach, describe, expect, it } from '@jest/globals';
import { mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startSimulator, type Simulator } from '@gantry/aws-sim';
import { SIM_EXECUTION_ROLE_ARN, SIM_REGISTRY as REGISTRY } from '@gantry/aws-sim/testing';
import { iamActionFor } from '@gantry/aws';
import { actionContractProblems, iamListProblems, runAction } from '@gantry/local-runner';

const actionDir = join(import.meta.dirname, '..');
let sim: Simulator | undefined;

afterEach(async () => {
  await sim?.stop();
  sim = undefined;
});

const definition = {
  family: 'app',
  executionRoleArn: SIM_EXECUTION_ROLE_ARN,
  networkMode: 'awsvpc',
  requiresCompatibilities: ['FARGATE'],
  cpu: '256',
  memory: '512',
  containerDefinitions: [
    { name: 'web', image: `${REGISTRY}/app:latest`, essential: true },
    { name: 'nginx', image: 'public.ecr.aws/nginx/nginx:1.27', essential: true },
  ],
};

async function workspace(content: unknown): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'gantry-rtd-'));
  await writeFile(join(dir, 'td.json'), typeof content === 'string' ? content : JSON.stringify(content, null, 2));
  return dir;
}

async function run(cwd: string, inputs: Record<string, string>) {
  return runAction(actionDir, { cwd, inputs: { 'task-definition': 'td.json', ...inputs }, env: { ...sim!.env, RUNNER_TEMP: cwd, GITHUB_SHA: 'abc123', GITHUB_REPOSITORY: 'acme/shop', GITHUB_RUN_ID: '42' } });
}

describe('register-task-definition contract', () => {
  it('has complete metadata and README tables', async () => {
    expect(await actionContractProblems(actionDir)).toEqual([]);
  });
  it('documents exactly the IAM actions its code can send', async () => {
    expect(iamListProblems(actionDir, iamActionFor)).toEqual([]);
  });
  it('fails the bundled action with one error naming the missing source input', async () => {
    const result = await runAction(actionDir, { env: { AWS_REGION: 'us-east-1' } });
    expect(result.exitCode).not.toBe(0);
    expect(result.errors).toEqual([expect.stringMatching(/^Input 'task-definition' is required unless from-service or task-definition-arn is set/)]);
  });
});

describe('register-task-definition against the simulator', () => {
  it('pins the image by digest, registers once, then reuses the revision', async () => {
    sim = await startSimulator({ port: 0 });
    const { imageDigest } = await sim.control.seedImage!({ repositoryName: 'app', tags: ['v2'] });
    const cwd = await workspace(definition);
    const first = await run(cwd, { containers: `web=${REGISTRY}/app:v2`, environment: 'APP_ENV=production' });
    expect(first.exitCode).toBe(0);
    expect(first.outputs).toMatchObject({ family: 'app', revision: '1', changed: 'true', 'task-definition-arn': 'arn:aws:ecs:us-east-1:123456789012:task-definition/app:1' });
    const rendered = JSON.parse(await readFile(first.outputs['task-definition-file']!, 'utf8'));
    expect(rendered.containerDefinitions[0].image).toBe(`${REGISTRY}/app@${imageDigest}`);
    expect(rendered.containerDefinitions[0].dockerLabels).toEqual({ 'org.opencontainers.image.revision': 'abc123', 'dev.gantry.run-url': 'https://github.com/acme/shop/actions/runs/42' });
    expect(rendered.containerDefinitions[1].image).toBe('public.ecr.aws/nginx/nginx:1.27');
    expect(first.summary).toContain(imageDigest);

    const second = await run(cwd, { containers: `web=${REGISTRY}/app:v2`, environment: 'APP_ENV=production' });
    expect(second.exitCode).toBe(0);
    expect(second.outputs).toMatchObject({ revision: '1', changed: 'false' });
    expect(second.log).toContain('reusing it instead of registering');
  });

  it.each([
    ['an unknown container', { containers: `wbe=${REGISTRY}/app:v2` }, definition, /no container named 'wbe' \(in containers\)\. Its containers are: web, nginx/],
    ['an image missing from ECR', { containers: `web=${REGISTRY}/app:nope` }, definition, /image '123456789012\.dkr\.ecr\.us-east-1\.amazonaws\.com\/app:nope' does not exist in ECR/],
    ['a Fargate cpu/memory mismatch', {}, { ...definition, memory: '4096', containerDefinitions: [{ name: 'web', image: `${REGISTRY}/app:v2` }] }, /memory 4096 MiB does not fit cpu 256/],
    ['malformed JSON', {}, '{\n  "family": "app",\n  "cpu": "256"\n  "memory": "512"\n}', /'td\.json' is not valid JSON at line 4/],
  ])('rejects %s with one clear error and registers nothing', async (_name, inputs, content, message) => {
    sim = await startSimulator({ port: 0 });
    await sim.control.seedImage!({ repositoryName: 'app', tags: ['v2'] });
    sim.control.resetCallCounts();
    const result = await run(await workspace(content), inputs as Record<string, string>);
    expect(result.exitCode).toBe(1);
    expect(result.errors).toEqual([expect.stringMatching(message)]);
    expect(sim.control.callCounts()['ecs:RegisterTaskDefinition'] ?? 0).toBe(0);
  });
});
