/**
 * What users type, through the committed bundle against one simulator: each bad input ends in exactly one
 * error line that names the input and the fix, nothing in AWS changes, and no secret or file content is
 * echoed; valid input with commas, `=`, quotes, CRLF and unicode registers as written, also under faults.
 */
import { afterAll, beforeAll, beforeEach, describe, expect, it } from '@jest/globals';
import { mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startSimulator, type Simulator } from '@gantry/aws-sim';
import { SIM_EXECUTION_ROLE_ARN, SIM_REGISTRY as REGISTRY, sdkClients } from '@gantry/aws-sim/testing';
import { runAction, type ActionRun } from '@gantry/local-runner';

const actionDir = join(import.meta.dirname, '..');
/** Stands for a secret value a user pasted by mistake: it must never appear in the log. */
const CANARY = 'hunter2-Canary-7f3a';
let sim: Simulator;
let cwd: string;

const definition = (extra: Record<string, unknown> = {}, container: Record<string, unknown> = {}) => ({
  family: 'app',
  executionRoleArn: SIM_EXECUTION_ROLE_ARN,
  networkMode: 'awsvpc',
  requiresCompatibilities: ['FARGATE'],
  cpu: '256',
  memory: '512',
  containerDefinitions: [{ name: 'web', image: `${REGISTRY}/app:v2`, essential: true, ...container }],
  ...extra,
});

beforeAll(async () => {
  sim = await startSimulator({ port: 0 });
  await sim.control.seedImage!({ repositoryName: 'app', tags: ['v2'] });
  cwd = await mkdtemp(join(tmpdir(), 'gantry-rtd-inputs-'));
  await writeFile(join(cwd, 'td.json'), JSON.stringify(definition(), null, 2));
});
afterAll(async () => sim?.stop());
beforeEach(() => {
  sim.control.setFaults({});
  sim.control.resetCallCounts();
});

async function file(name: string, content: unknown): Promise<string> {
  await writeFile(join(cwd, name), typeof content === 'string' ? content : JSON.stringify(content));
  return name;
}

function run(inputs: Record<string, string>, env: Record<string, string | undefined> = {}) {
  return runAction(actionDir, { cwd, inputs: { 'task-definition': 'td.json', ...inputs }, env: { ...sim.env, RUNNER_TEMP: cwd, ...env } });
}

/** Calls that could have changed something in AWS. */
const mutations = () => Object.entries(sim.control.callCounts()).filter(([op, n]) => n > 0 && !/:(Describe|List|Get|BatchGet)/.test(op) && !/^(Describe|List|Get|BatchGet)/.test(op.split(':').pop()!));

function expectRefused(result: ActionRun, message: RegExp) {
  expect(result.errors).toEqual([expect.stringMatching(message)]);
  expect(result.exitCode).toBe(1);
  expect(mutations()).toEqual([]);
  expect(result.log).not.toContain(CANARY);
  expect(result.log).not.toMatch(/Unexpected error|\n\s+at /);
}

async function renderedWeb(result: ActionRun) {
  expect(result.errors).toEqual([]);
  expect(result.exitCode).toBe(0);
  return JSON.parse(await readFile(result.outputs['task-definition-file']!, 'utf8')).containerDefinitions[0];
}

describe('secrets: references only, never echoed', () => {
  it.each([
    ['a plain value', `DB_PASSWORD=${CANARY}`, /^Input 'secrets': 'DB_PASSWORD' is not a reference: a bare name may be a pasted secret value/],
    ['a value with spaces', `DB_PASSWORD=${CANARY} and more`, /^Input 'secrets': 'DB_PASSWORD' is not a Secrets Manager secret ARN/],
    ['an S3 ARN', `DB_PASSWORD=arn:aws:s3:::bucket/${CANARY}`, /^Input 'secrets': 'DB_PASSWORD' is an ARN but not of a Secrets Manager secret or an SSM parameter/],
    ['a truncated Secrets Manager ARN', `DB_PASSWORD=arn:aws:secretsmanager:us-east-1:123:secret:${CANARY}`, /^Input 'secrets': 'DB_PASSWORD' is an ARN but not/],
    ['an SSM ARN without parameter/', `DB_PASSWORD=arn:aws:ssm:us-east-1:123456789012:${CANARY}`, /^Input 'secrets': 'DB_PASSWORD' is an ARN but not/],
    ['a reserved /aws path', `DB_PASSWORD=/aws/${CANARY}`, /^Input 'secrets': 'DB_PASSWORD' is not a Secrets Manager secret ARN/],
    ['a line without =', `${CANARY}`, /^Input 'secrets' must be KEY=value lines, but line 1 has no '='/],
    ['a line without a key', `=${CANARY}`, /^Input 'secrets' must be KEY=value lines, but line 1 has no key/],
    ['a bad key', `1DB=arn:aws:ssm:us-east-1:123456789012:parameter/db`, /^Input 'secrets' has an invalid key '1DB' on line 1/],
    ['a key set twice', `DB=/app/db\nDB=/app/db2`, /^Input 'secrets' sets 'DB' twice \(line 2\)/],
    ['a comma list on one line', `A=/app/a,B=${CANARY}`, /^Input 'secrets': 'A' is not a Secrets Manager secret ARN/],
  ])('refuses %s', async (_label, secrets, message) => {
    expectRefused(await run({ secrets }), message);
  });

  it.each([
    ['a Secrets Manager ARN with a JSON key', 'DB=arn:aws:secretsmanager:us-east-1:123456789012:secret:db-AbCdEf:password::'],
    ['an SSM parameter ARN', 'DB=arn:aws:ssm:us-east-1:123456789012:parameter/app/db'],
    ['an SSM /path on a CRLF line', 'DB=/app/db\r\nKEY=/app/key\r\n'],
  ])('registers %s', async (_label, secrets) => {
    const web = await renderedWeb(await run({ secrets }));
    expect(web.secrets.map((s: { name: string }) => s.name)).toContain('DB');
  });

  it.each([
    ['secrets', { secrets: [{ name: 'DB', valueFrom: CANARY }] }, /container 'web': secrets 'DB' is not a reference/],
    ['secrets with an S3 ARN', { secrets: [{ name: 'DB', valueFrom: `arn:aws:s3:::b/${CANARY}` }] }, /container 'web': secrets 'DB' is an ARN but not/],
    ['log secretOptions', { logConfiguration: { logDriver: 'awslogs', options: { 'awslogs-group': '/ecs/app', 'awslogs-region': 'us-east-1', 'awslogs-stream-prefix': 'ecs' }, secretOptions: [{ name: 'KEY', valueFrom: `${CANARY} x` }] } }, /logConfiguration.secretOptions 'KEY' is not a Secrets Manager/],
    ['repositoryCredentials', { repositoryCredentials: { credentialsParameter: CANARY } }, /repositoryCredentials.credentialsParameter must be a Secrets Manager secret ARN/],
    ['environmentFiles with a bucket name only', { environmentFiles: [{ value: `${CANARY}.env`, type: 's3' }] }, /environmentFiles\[0\] is not an S3 object ARN/],
    ['environmentFiles without .env', { environmentFiles: [{ value: 'arn:aws:s3:::bucket/app/config.txt', type: 's3' }] }, /environmentFiles\[0\] names an S3 object without the .env extension/],
    ['environmentFiles of another type', { environmentFiles: [{ value: 'arn:aws:s3:::bucket/app.env', type: 'file' }] }, /environmentFiles\[0\] has type "file"; the only type is "s3"/],
    ['eleven environmentFiles', { environmentFiles: Array.from({ length: 11 }, (_, i) => ({ value: `arn:aws:s3:::bucket/f${i}.env`, type: 's3' })) }, /environmentFiles lists 11 files; ECS allows at most 10/],
  ])('refuses a task definition file with bad %s, without echoing it', async (_label, container, message) => {
    const name = await file(`bad-${Math.random().toString(36).slice(2)}.json`, definition({}, container));
    const result = await run({ 'task-definition': name });
    expectRefused(result, /^The task definition is not valid, so nothing was registered/);
    expect(result.errors[0]).toMatch(message);
  });
});

describe('environment, docker-labels and containers: one pair a line', () => {
  it.each([
    ['commas in a value', 'ALLOWED_HOSTS=a.com,b.com', { ALLOWED_HOSTS: 'a.com,b.com' }],
    ['= and commas in a value', 'LIST=a,b=c', { LIST: 'a,b=c' }],
    ['several = in a value', 'DSN=mysql://u:p@h/db?x=1&y=2', { DSN: 'mysql://u:p@h/db?x=1&y=2' }],
    ['quotes kept as written', 'GREETING="hello, world"', { GREETING: '"hello, world"' }],
    ['CRLF line ends and blank lines', 'A=1\r\n\r\nB=2\r\n', { A: '1', B: '2' }],
    ['comment lines', '# the app\nA=1', { A: '1' }],
    ['unicode', 'CITY=Zürich 🚀', { CITY: 'Zürich 🚀' }],
    ['an empty value', 'EMPTY=', { EMPTY: '' }],
    ['a container-scoped key', 'web:ONLY_WEB=1', { ONLY_WEB: '1' }],
  ])('environment with %s', async (_label, environment, expected) => {
    const web = await renderedWeb(await run({ environment, 'dry-run': 'true' }));
    const env = Object.fromEntries(web.environment.map((e: { name: string; value: string }) => [e.name, e.value]));
    expect(env).toEqual(expected);
  });

  it.each([
    ['a line without =', 'A=1\nB', /^Input 'environment' must be KEY=value lines, but line 2 has no '='/],
    ['a key with a hyphen', 'BAD-KEY=1', /^Input 'environment' has an invalid key 'BAD-KEY' on line 1 \(keys are NAME or container:NAME\)/],
    ['a key set twice', 'A=1\r\nA=2', /^Input 'environment' sets 'A' twice \(line 2\)/],
    ['an unknown container', 'wbe:A=1', /^The task definition has no container named 'wbe' \(in environment\)\. Its containers are: web\./],
    ['a value over 64 KiB', `BIG=${'x'.repeat(70_000)}`, /the task definition is \d+\.\d KiB, more than the 64 KiB RegisterTaskDefinition accepts/],
  ])('refuses environment with %s', async (_label, environment, message) => {
    expectRefused(await run({ environment }), message);
  });

  it('keeps commas and = in docker-labels values', async () => {
    const web = await renderedWeb(await run({ 'docker-labels': 'team=payments,billing\nquery=a=b', 'add-run-labels': 'false', 'dry-run': 'true' }));
    expect(web.dockerLabels).toEqual({ team: 'payments,billing', query: 'a=b' });
  });

  it.each([
    ['two pairs on one comma line', `web=${REGISTRY}/app:v2,nginx=public.ecr.aws/nginx/nginx:1`, /container 'web': image '.*' is on this account's ECR registry but is not a valid reference/],
    ['a truncated digest', `web=${REGISTRY}/app@sha256:abc123`, /container 'web': image '.*app@sha256:abc123' is on this account's ECR registry but is not a valid reference/],
    ['a space in the tag', `web=${REGISTRY}/app:my tag`, /is on this account's ECR registry but is not a valid reference/],
    ['a doubled colon', `web=${REGISTRY}/app::v2`, /is on this account's ECR registry but is not a valid reference/],
    ['an upper-case repository', `web=${REGISTRY}/App:v2`, /is on this account's ECR registry but is not a valid reference/],
    ['a tag that does not exist', `web=${REGISTRY}/app:nope`, /container 'web': image '.*app:nope' (does not exist in ECR|was not found in ECR)/],
    ['a repository that does not exist', `web=${REGISTRY}/nope:v1`, /container 'web': ECR repository 'nope' does not exist/],
    ['an unknown container', `wbe=${REGISTRY}/app:v2`, /^The task definition has no container named 'wbe' \(in containers\)/],
    ['a bad container name', `we b=${REGISTRY}/app:v2`, /^Input 'containers' has an invalid key 'we b' on line 1/],
  ])('refuses containers with %s', async (_label, containers, message) => {
    expectRefused(await run({ containers }), message);
  });
});

describe('sources, flags and the region', () => {
  it.each([
    ['task-definition and from-service', { 'from-service': 'web' }, /^Inputs 'task-definition' and 'from-service' are both set; give exactly one source/],
    ['task-definition and task-definition-arn', { 'task-definition-arn': 'app:1' }, /^Inputs 'task-definition' and 'task-definition-arn' are both set/],
    ['from-service and task-definition-arn', { 'task-definition': '', 'from-service': 'web', 'task-definition-arn': 'app:1' }, /^Inputs 'from-service' and 'task-definition-arn' are both set/],
    ['no source', { 'task-definition': '' }, /^Input 'task-definition' is required unless from-service or task-definition-arn is set/],
    ['a bad family', { family: 'app worker' }, /^Input 'family' must be letters, digits, hyphens and underscores, got 'app worker'/],
    ['a bad boolean', { 'dry-run': 'yes' }, /^Input 'dry-run' must be true or false, got 'yes'/],
    ['a bad enum', { 'non-ecr-images': 'ignore' }, /^Input 'non-ecr-images' must be one of keep, error, got 'ignore'/],
    ['a bad aws-region', { 'aws-region': 'Ireland' }, /^Input 'aws-region' is not an AWS region: 'Ireland'/],
    ['a missing file', { 'task-definition': 'nope.json' }, /^Cannot read the task definition file 'nope.json' \(ENOENT\)/],
  ])('refuses %s', async (_label, inputs, message) => {
    expectRefused(await run(inputs), message);
  });

  it('blames AWS_REGION, not an input, for a bad region from the environment', async () => {
    const result = await run({}, { AWS_REGION: 'Frankfurt' });
    expectRefused(result, /^The environment variable AWS_REGION is not an AWS region: 'Frankfurt'\. Fix the aws-region given to aws-actions\/configure-aws-credentials/);
  });

  it('names from-service when the service does not exist', async () => {
    expectRefused(await run({ 'task-definition': '', 'from-service': 'nope' }), /^(Cluster 'default' was not found\. Check the 'cluster' input|Service 'nope' was not found in cluster 'default' .* Check the 'from-service' and 'cluster' inputs)/);
  });

  it.each([
    ['invalid JSON', '{"family": "app",\n  "containerDefinitions": [,]}', /^'td-invalid.json' is not valid JSON at (line 2|an unknown position): Unexpected token ','\. Fix the JSON/],
    ['an array', '[1, 2]', /^The task definition file 'td-array.json' must hold a JSON object, not an array/],
  ])('refuses a file holding %s without echoing beyond the offending line', async (label, content, message) => {
    const name = await file(label === 'an array' ? 'td-array.json' : 'td-invalid.json', content);
    expectRefused(await run({ 'task-definition': name }), message);
  });

  it('says that log-defaults added awslogs when the execution role is missing', async () => {
    const { executionRoleArn: _, ...noRole } = definition();
    const name = await file('td-console.json', noRole);
    const result = await run({ 'task-definition': name });
    expectRefused(result, /log-defaults added awslogs logging to web: add an executionRoleArn \(it needs logs:CreateLogStream, logs:PutLogEvents and logs:CreateLogGroup\) or set log-defaults: false/);
  });
});

describe('AWS faults', () => {
  it('names the permission when RegisterTaskDefinition is denied, and says nothing changed', async () => {
    sim.control.setFaults({ deny: ['ecs:RegisterTaskDefinition'] });
    const result = await run({ environment: 'DENIED=1' });
    expect(result.errors).toEqual([expect.stringMatching(/^AWS denied ecs:RegisterTaskDefinition \(HTTP 400, request id [^,)]+\).*Nothing in AWS was changed before this call\..*Allow 'ecs:RegisterTaskDefinition'/)]);
  });

  it('names operation, HTTP status, request id and what changed when 5xx outlasts the retries', async () => {
    sim.control.setFaults({ errorRate: 1, operations: ['ecs:RegisterTaskDefinition'] });
    const result = await run({ environment: 'FAULT=1' }, { AWS_MAX_ATTEMPTS: '2' });
    expect(result.exitCode).toBe(1);
    expect(result.errors).toEqual([
      expect.stringMatching(/^AWS ecs:RegisterTaskDefinition failed \(HTTP 5\d\d, request id [^,]+, 2 attempts\): \w+: .*Nothing in AWS was changed before this call\. Whether ecs:RegisterTaskDefinition itself took effect is unknown; check before re-running\. This is a fault or throttle on the AWS side/),
    ]);
  });

  it('registers valid input with commas and = under throttling, dropped connections and 5xx', async () => {
    sim.control.setFaults({ throttleRate: 0.2, dropRate: 0.1, errorRate: 0.1, seed: 13 });
    const result = await run({ environment: 'ALLOWED_HOSTS=a.com,b.com\nLIST=a,b=c', secrets: 'DB=/app/db' });
    expect(result.errors).toEqual([]);
    expect(result.exitCode).toBe(0);
    sim.control.setFaults({});
    const { ecs } = sdkClients(sim);
    const { DescribeTaskDefinitionCommand } = await import('@aws-sdk/client-ecs');
    const td = (await ecs.send(new DescribeTaskDefinitionCommand({ taskDefinition: result.outputs['task-definition-arn']! }))).taskDefinition!;
    expect(td.containerDefinitions![0]!.environment).toEqual(expect.arrayContaining([{ name: 'ALLOWED_HOSTS', value: 'a.com,b.com' }, { name: 'LIST', value: 'a,b=c' }]));
  });
});
