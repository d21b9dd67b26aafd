import { describe, expect, it } from '@jest/globals';
import { UserError } from '@gantry/github';
import { checkAgainstEcsModel } from '../src/task-definition/ecs-model.js';
import { fargateSizeProblem } from '../src/task-definition/fargate.js';
import { parseJsonWithLines } from '../src/task-definition/load.js';
import { differingPaths, normalizeTaskDefinition, sameTaskDefinition } from '../src/task-definition/normalize.js';
import { dropReadOnlyFields } from '../src/task-definition/read-only.js';
import { renderTaskDefinition } from '../src/task-definition/render.js';
import { secretReferenceProblem } from '../src/task-definition/references.js';
import { validateTaskDefinition } from '../src/task-definition/validate.js';
import { REGISTRY } from './helpers.js';

const base = () => ({
  family: 'app',
  networkMode: 'awsvpc',
  requiresCompatibilities: ['FARGATE'],
  cpu: '512',
  memory: '1024',
  containerDefinitions: [
    { name: 'web', image: `${REGISTRY}/app:old`, essential: true, environment: [{ name: 'APP_ENV', value: 'staging' }] },
    { name: 'nginx', image: `${REGISTRY}/nginx:1`, essential: true, portMappings: [{ containerPort: 80 }] },
  ],
});

describe('parseJsonWithLines', () => {
  it('names the line and column of a syntax error and shows the line', () => {
    const text = '{\n  "family": "app",\n  "cpu": 256,\n}\n';
    let error: unknown;
    try {
      parseJsonWithLines(text, 'td.json');
    } catch (err) {
      error = err;
    }
    expect(error).toBeInstanceOf(UserError);
    expect((error as Error).message).toMatch(/'td\.json' is not valid JSON at line 4, column 1/);
    expect((error as Error).message).toContain('4 | }');
  });
});

describe('dropReadOnlyFields', () => {
  it('drops what describe-task-definition adds and keeps the rest', () => {
    const { definition, dropped } = dropReadOnlyFields({ ...base(), taskDefinitionArn: 'arn', revision: 3, status: 'ACTIVE', compatibilities: ['EC2'], registeredAt: 'x', requiresAttributes: [] });
    expect(dropped.sort()).toEqual(['compatibilities', 'registeredAt', 'requiresAttributes', 'revision', 'status', 'taskDefinitionArn']);
    expect(definition.family).toBe('app');
    expect(definition).not.toHaveProperty('revision');
  });
});

describe('checkAgainstEcsModel', () => {
  it('reports unknown keys with their path and a suggestion, and converts numbers ECS models as strings', () => {
    const { value, problems } = checkAgainstEcsModel({ ...base(), cpu: 512, containerDefinitions: [{ name: 'web', image: 'x', portMapping: [], essential: 'yes' }] } as never);
    expect(value.cpu).toBe('512');
    expect(problems).toContain("containerDefinitions[0].portMapping is not a key ECS accepts (did you mean 'portMappings'?)");
    expect(problems).toContain('containerDefinitions[0].essential must be true or false');
  });
  it('accepts a valid definition untouched', () => {
    expect(checkAgainstEcsModel(base()).problems).toEqual([]);
  });
});

describe('fargateSizeProblem', () => {
  it.each([
    [256, 512],
    ['1 vCPU', '2 GB'],
    [2048, 16384],
    [8192, 61440],
    [16384, 32768],
  ])('accepts cpu %s with memory %s', (cpu, memory) => expect(fargateSizeProblem(cpu, memory)).toBeUndefined());
  it.each([
    [256, 4096, /with cpu 256 use memory 512, 1024 or 2048/],
    [1024, 9216, /memory 9216 MiB does not fit cpu 1024/],
    [8192, 18432, /steps of 4096/],
    [300, 1024, /cpu 300 is not a Fargate size/],
    [undefined, 1024, /needs task-level cpu and memory/],
  ])('rejects cpu %s with memory %s', (cpu, memory, message) => expect(fargateSizeProblem(cpu, memory)).toMatch(message));
});

describe('renderTaskDefinition', () => {
  it('sets images by container name, merges environment and secrets, labels and log defaults', () => {
    const { definition, changes } = renderTaskDefinition(base(), {
      images: { web: `${REGISTRY}/app:v2` },
      environment: { APP_ENV: 'production', 'web:QUEUE': 'redis' },
      secrets: { 'web:DB_PASSWORD': 'arn:aws:secretsmanager:us-east-1:123456789012:secret:db-AbCdEf:password::', API_KEY: '/app/api-key' },
      dockerLabels: { 'org.opencontainers.image.revision': 'abc123' },
      logDefaults: { region: 'us-east-1' },
    });
    const [web, nginx] = definition.containerDefinitions as Record<string, any>[];
    expect(web!.image).toBe(`${REGISTRY}/app:v2`);
    expect(nginx!.image).toBe(`${REGISTRY}/nginx:1`);
    expect(web!.environment).toEqual([{ name: 'APP_ENV', value: 'production' }, { name: 'QUEUE', value: 'redis' }]);
    expect(nginx!.environment).toEqual([{ name: 'APP_ENV', value: 'production' }]);
    expect(web!.secrets).toEqual([
      { name: 'DB_PASSWORD', valueFrom: 'arn:aws:secretsmanager:us-east-1:123456789012:secret:db-AbCdEf:password::' },
      { name: 'API_KEY', valueFrom: '/app/api-key' },
    ]);
    expect(nginx!.secrets).toEqual([{ name: 'API_KEY', valueFrom: '/app/api-key' }]);
    expect(nginx!.dockerLabels).toEqual({ 'org.opencontainers.image.revision': 'abc123' });
    expect(web!.logConfiguration.options['awslogs-group']).toBe('/ecs/app');
    expect(changes.some((c) => c.includes('web: image'))).toBe(true);
  });
  it('lists every unknown container at once', () => {
    expect(() => renderTaskDefinition(base(), { images: { wbe: 'x' }, environment: { 'worker:A': '1' } })).toThrow(
      "no container named 'wbe' (in containers), 'worker' (in environment). Its containers are: web, nginx.",
    );
  });
  it('moves a name from environment to secrets rather than defining it twice', () => {
    const { definition } = renderTaskDefinition(base(), { secrets: { 'web:APP_ENV': 'arn:aws:ssm:us-east-1:123456789012:parameter/app/env' } });
    const web = (definition.containerDefinitions as Record<string, any>[])[0]!;
    expect(web.environment).toEqual([]);
    expect(web.secrets).toEqual([{ name: 'APP_ENV', valueFrom: 'arn:aws:ssm:us-east-1:123456789012:parameter/app/env' }]);
  });
  it('rejects secret references that are neither Secrets Manager nor SSM', () => {
    expect(secretReferenceProblem('arn:aws:s3:::bucket/key')).toMatch(/not of a Secrets Manager secret/);
    expect(secretReferenceProblem('hunter2')).toMatch(/bare name/);
    expect(secretReferenceProblem('arn:aws:secretsmanager:eu-west-1:123456789012:secret:x-1a2b3c')).toBeUndefined();
    expect(() => renderTaskDefinition(base(), { secrets: { X: 'arn:aws:s3:::b' } })).toThrow(/Secret 'X'/);
  });
});

describe('validateTaskDefinition', () => {
  it('collects every problem: Fargate size, network mode, duplicate names, missing image', () => {
    const { problems } = validateTaskDefinition({ ...base(), cpu: '256', memory: '4096', networkMode: 'bridge', containerDefinitions: [{ name: 'web', image: 'x' }, { name: 'web' }] });
    expect(problems).toEqual(
      expect.arrayContaining([
        expect.stringMatching(/memory 4096 MiB does not fit cpu 256/),
        expect.stringMatching(/FARGATE requires networkMode 'awsvpc'/),
        "container name 'web' is used twice",
        "container 'web' has no image",
      ]),
    );
  });
});

describe('validateTaskDefinition on Fargate', () => {
  it('needs an execution role for awslogs and secrets', () => {
    const withLogs = renderTaskDefinition(base(), { logDefaults: { region: 'us-east-1' } }).definition;
    expect(validateTaskDefinition(withLogs).problems).toEqual(['FARGATE needs an executionRoleArn for awslogs logging and secrets (used by web, nginx)']);
    expect(validateTaskDefinition({ ...withLogs, executionRoleArn: 'arn:aws:iam::123456789012:role/exec' }).problems).toEqual([]);
  });
});

describe('normalizeTaskDefinition', () => {
  it('treats describe output with ECS defaults as equal to the file it came from', () => {
    const described = {
      ...base(),
      taskDefinitionArn: 'arn:aws:ecs:us-east-1:123456789012:task-definition/app:7',
      revision: 7,
      status: 'ACTIVE',
      compatibilities: ['EC2', 'FARGATE'],
      volumes: [],
      placementConstraints: [],
      containerDefinitions: [
        { name: 'nginx', image: `${REGISTRY}/nginx:1`, cpu: 0, essential: true, portMappings: [{ containerPort: 80, hostPort: 80, protocol: 'tcp' }], environment: [], mountPoints: [], volumesFrom: [] },
        { name: 'web', image: `${REGISTRY}/app:old`, cpu: 0, essential: true, environment: [{ name: 'APP_ENV', value: 'staging' }], mountPoints: [], volumesFrom: [] },
      ],
    };
    expect(sameTaskDefinition(described, base())).toBe(true);
  });
  it('sees a changed image and names where', () => {
    const changed = renderTaskDefinition(base(), { images: { web: `${REGISTRY}/app:v2` } }).definition;
    expect(sameTaskDefinition(changed, base())).toBe(false);
    expect(differingPaths(normalizeTaskDefinition(base()), normalizeTaskDefinition(changed))).toEqual(['containerDefinitions[web].image']);
  });
});
