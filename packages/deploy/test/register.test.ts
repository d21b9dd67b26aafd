import { describe, expect, it, beforeEach } from '@jest/globals';
import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DescribeImagesCommand, ECRClient } from '@aws-sdk/client-ecr';
import { ClientException, DescribeTaskDefinitionCommand, ECSClient, RegisterTaskDefinitionCommand } from '@aws-sdk/client-ecs';
import { mockClient } from 'aws-sdk-client-mock';
import { prepareTaskDefinition } from '../src/task-definition/prepare.js';
import { DIGEST_A, DIGEST_B, REGISTRY, memoryLogger } from './helpers.js';

const ecsMock = mockClient(ECSClient);
const ecrMock = mockClient(ECRClient);
const ecs = new ECSClient({ region: 'us-east-1' });
const ecr = new ECRClient({ region: 'us-east-1' });

const file = {
  family: 'app',
  executionRoleArn: 'arn:aws:iam::123456789012:role/exec',
  networkMode: 'awsvpc',
  requiresCompatibilities: ['FARGATE'],
  cpu: '256',
  memory: '512',
  containerDefinitions: [{ name: 'web', image: `${REGISTRY}/app:latest`, essential: true, logConfiguration: { logDriver: 'awslogs', options: { 'awslogs-group': '/g', 'awslogs-region': 'us-east-1', 'awslogs-stream-prefix': 'ecs' } } }],
};

async function writeDefinition(content: unknown): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'gantry-td-'));
  const path = join(dir, 'td.json');
  await writeFile(path, typeof content === 'string' ? content : JSON.stringify(content, null, 2));
  return path;
}

function digestFor(tag: string | undefined) {
  return tag === 'v2' ? DIGEST_B : DIGEST_A;
}

beforeEach(() => {
  ecsMock.reset();
  ecrMock.reset();
  ecrMock.on(DescribeImagesCommand).callsFake((input) => {
    const id = input.imageIds[0];
    if (id.imageTag === 'missing') {
      const err = new Error(`The image with imageId {imageTag:'missing'} does not exist within the repository`);
      err.name = 'ImageNotFoundException';
      throw err;
    }
    return { imageDetails: [{ imageDigest: id.imageDigest ?? digestFor(id.imageTag), imageTags: id.imageTag ? [id.imageTag] : [] }] };
  });
});

const run = async (path: string, images: Record<string, string>, extra = {}) =>
  prepareTaskDefinition({ source: { kind: 'file', path }, render: { images }, ecs, ecrFor: () => ecr, logger: memoryLogger(), ...extra });

describe('prepareTaskDefinition', () => {
  it('pins the tag to its digest and registers when the family has no revision yet', async () => {
    ecsMock.on(DescribeTaskDefinitionCommand).rejects(new ClientException({ message: 'Unable to describe task definition.', $metadata: {} }));
    ecsMock.on(RegisterTaskDefinitionCommand).callsFake((input) => ({ taskDefinition: { ...input, taskDefinitionArn: 'arn:aws:ecs:us-east-1:123456789012:task-definition/app:1', revision: 1 } }));
    const result = await run(await writeDefinition(file), { web: `${REGISTRY}/app:v2` });
    expect(result.registration).toMatchObject({ changed: true, revision: 1, family: 'app' });
    const sent = ecsMock.commandCalls(RegisterTaskDefinitionCommand)[0]!.args[0].input;
    expect(sent.containerDefinitions![0]!.image).toBe(`${REGISTRY}/app@${DIGEST_B}`);
    expect(ecrMock.commandCalls(DescribeImagesCommand)[0]!.args[0].input).toMatchObject({ registryId: '123456789012', repositoryName: 'app', imageIds: [{ imageTag: 'v2' }] });
  });

  it('reuses the latest ACTIVE revision when nothing changed', async () => {
    const latest = { ...file, containerDefinitions: [{ ...file.containerDefinitions[0], image: `${REGISTRY}/app@${DIGEST_A}`, cpu: 0, mountPoints: [] }], taskDefinitionArn: 'arn:aws:ecs:us-east-1:123456789012:task-definition/app:4', revision: 4, status: 'ACTIVE' };
    ecsMock.on(DescribeTaskDefinitionCommand).resolves({ taskDefinition: latest as never });
    const logger = memoryLogger();
    const result = await prepareTaskDefinition({ source: { kind: 'file', path: await writeDefinition(file) }, render: {}, ecs, ecrFor: () => ecr, logger });
    expect(result.registration).toMatchObject({ changed: false, revision: 4 });
    expect(ecsMock.commandCalls(RegisterTaskDefinitionCommand)).toHaveLength(0);
    expect(logger.text()).toMatch(/reusing it instead of registering/);
  });

  it('reports a missing image, a wrong Fargate size and an unknown key together and registers nothing', async () => {
    const bad = { ...file, memory: '4096', containerDefinitions: [{ ...file.containerDefinitions[0], imagee: 'x' }] };
    await expect(run(await writeDefinition(bad), { web: `${REGISTRY}/app:missing` })).rejects.toThrow(
      /nothing was registered:[\s\S]*imagee is not a key ECS accepts \(did you mean 'image'\?\)[\s\S]*memory 4096 MiB does not fit cpu 256[\s\S]*app:missing' does not exist in ECR/,
    );
    expect(ecsMock.commandCalls(RegisterTaskDefinitionCommand)).toHaveLength(0);
    expect(ecsMock.commandCalls(DescribeTaskDefinitionCommand)).toHaveLength(0);
  });

  it('drops read-only fields from describe output with a notice', async () => {
    ecsMock.on(DescribeTaskDefinitionCommand).rejects(new ClientException({ message: 'none', $metadata: {} }));
    ecsMock.on(RegisterTaskDefinitionCommand).resolves({ taskDefinition: { taskDefinitionArn: 'arn:aws:ecs:us-east-1:123456789012:task-definition/app:1', revision: 1 } });
    const logger = memoryLogger();
    const described = { taskDefinition: { ...file, revision: 3, status: 'ACTIVE', registeredBy: 'me', compatibilities: ['FARGATE'] } };
    await prepareTaskDefinition({ source: { kind: 'file', path: await writeDefinition(described) }, render: {}, ecs, ecrFor: () => ecr, logger });
    expect(logger.text()).toMatch(/NOTICE Dropped read-only fields that RegisterTaskDefinition does not accept: revision, status, registeredBy, compatibilities/);
    expect(ecsMock.commandCalls(RegisterTaskDefinitionCommand)[0]!.args[0].input).not.toHaveProperty('revision');
  });

  it('fails on malformed JSON with the line, before any AWS call', async () => {
    await expect(run(await writeDefinition('{\n  "family": "app"\n  "cpu": "256"\n}'), {})).rejects.toThrow(/line 3/);
    expect(ecsMock.calls()).toHaveLength(0);
    expect(ecrMock.calls()).toHaveLength(0);
  });

  it('leaves public images alone by default and refuses them when asked', async () => {
    ecsMock.on(DescribeTaskDefinitionCommand).rejects(new ClientException({ message: 'none', $metadata: {} }));
    ecsMock.on(RegisterTaskDefinitionCommand).resolves({ taskDefinition: { taskDefinitionArn: 'arn:x:1', revision: 1 } });
    const path = await writeDefinition(file);
    const kept = await run(path, { web: 'public.ecr.aws/nginx/nginx:1.27' });
    expect(kept.images[0]).toMatchObject({ pinned: 'public.ecr.aws/nginx/nginx:1.27', inEcr: false });
    await expect(run(path, { web: 'nginx:1.27' }, { nonEcrImages: 'error' })).rejects.toThrow(/'nginx:1.27' is not in ECR/);
  });
});
