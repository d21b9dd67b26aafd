/**
 * THE WORKFLOW REHEARSAL: deploy.yml and manual-deploy.yml run step by step (see src/rehearse.ts)
 * against @gantry/aws-sim, with the bundled Gantry actions and the workflows' own run: scripts.
 *
 * build-image is NOT run here: it needs a Docker engine and a registry the simulator can see, and its own
 * tests (actions/build-image) cover that. Instead its step is replaced by a stand-in that seeds the base
 * and app images into the simulator (sim.control.seedImage, the app recording its base digest as
 * build-image does) and returns the outputs build-image declares, which then flow forward exactly as
 * the workflow wires them.
 */
import { afterAll, beforeAll, describe, expect, test } from '@jest/globals';
import { spawnSync } from 'node:child_process';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CreateClusterCommand, CreateServiceCommand, DescribeServicesCommand, DescribeTaskDefinitionCommand, ECSClient, RegisterTaskDefinitionCommand } from '@aws-sdk/client-ecs';
import { startSimulator, type Simulator } from '@gantry/aws-sim';
import { loadWorkflow, rehearseWorkflow, type Rehearsal } from '../src/index.js';

const CLUSTER = 'shop';
const SHA = 'c0ffee'.padEnd(40, '0');
let sim: Simulator;
let ecs: ECSClient;
let workspace: string;

type Behaviour = { startSeconds?: number; exitAfterSeconds?: number; exitCode?: number; logs?: string[] };

/** The simulator's control operations this test uses, typed (SimControl types the rest loosely). */
const control = () =>
  sim.control as unknown as {
    seedImage(body: { repositoryName: string; tags?: string[]; baseDigest?: string }): Promise<{ imageDigest: string }>;
    setImageBehaviour(imageRef: string, behaviour: Behaviour & { commands?: Record<string, Behaviour> }): Promise<unknown>;
  };

const taskDefinition = (family: string, container: string, image: string) => ({
  family,
  requiresCompatibilities: ['FARGATE'],
  networkMode: 'awsvpc',
  cpu: '256',
  memory: '512',
  executionRoleArn: 'arn:aws:iam::123456789012:role/ecsTaskExecutionRole',
  containerDefinitions: [{ name: container, image, essential: true, portMappings: [{ containerPort: 8080 }] }],
});

async function createService(name: string, container: string, image: string, desiredCount = 2) {
  const td = await ecs.send(new RegisterTaskDefinitionCommand(taskDefinition(name, container, image) as never));
  await ecs.send(
    new CreateServiceCommand({
      cluster: CLUSTER,
      serviceName: name,
      taskDefinition: td.taskDefinition!.taskDefinitionArn!,
      desiredCount,
      launchType: 'FARGATE',
      networkConfiguration: { awsvpcConfiguration: { subnets: ['subnet-0a'], securityGroups: ['sg-0a'], assignPublicIp: 'DISABLED' } },
      deploymentConfiguration: { deploymentCircuitBreaker: { enable: true, rollback: true } },
    }),
  );
  await writeFile(join(workspace, '.aws', `${name}.json`), JSON.stringify(taskDefinition(name, container, 'placeholder'), null, 2));
  return td.taskDefinition!.taskDefinitionArn!;
}

/**
 * The build-image stand-in: seeds what build-image would push and returns its declared outputs, for the
 * base job (`build: base`) and the app jobs (`build: app`, on the given base) alike.
 */
async function buildImageStandIn(inputs: Record<string, string>): Promise<Record<string, string>> {
  const host = `${sim.accountId}.dkr.ecr.${sim.region}.amazonaws.com`;
  if (inputs.build === 'base') {
    const baseRepository = inputs['base-repository'] || inputs.repository!;
    const base = await control().seedImage({ repositoryName: baseRepository, tags: ['base-0123456789ab'] });
    const baseImage = `${host}/${baseRepository}@${base.imageDigest}`;
    return { image: '', 'image-uri-tagged': '', digest: '', 'base-image': baseImage, 'base-digest': base.imageDigest, 'base-tag': 'base-0123456789ab', 'base-rebuilt': 'true', tags: '', registry: host };
  }
  expect(inputs.build).toBe('app');
  const baseDigest = inputs['base-image']!.split('@')[1]!;
  const app = await control().seedImage({ repositoryName: inputs.repository!, tags: [SHA], baseDigest });
  return {
    image: `${host}/${inputs.repository}@${app.imageDigest}`,
    'image-uri-tagged': `${host}/${inputs.repository}:${SHA}`,
    digest: app.imageDigest,
    'base-image': inputs['base-image']!,
    'base-digest': baseDigest,
    'base-tag': 'base-0123456789ab',
    'base-rebuilt': 'false',
    tags: `${host}/${inputs.repository}:${SHA}`,
    registry: host,
  };
}

/** The app image the build job's (single) leg built. */
const builtImage = (r: Rehearsal) => {
  const builds = r.steps.filter((s) => s.job === 'build' && s.id === 'build');
  expect(builds).toHaveLength(1);
  return builds[0]!.outputs.image!;
};

const servicesNow = async (...names: string[]) =>
  (await ecs.send(new DescribeServicesCommand({ cluster: CLUSTER, services: names }))).services!;

function explain(r: Rehearsal): string {
  return r.steps
    .filter((s) => s.outcome === 'failure')
    .map((s) => `${s.job}${s.leg ? ` ${JSON.stringify(s.leg)}` : ''} ${s.id ?? s.uses ?? 'run'}:\n${(s.log ?? '').slice(-3000)}`)
    .join('\n\n');
}

const deployInputs = (services: object[], extra: Record<string, string | boolean> = {}) => ({
  cluster: CLUSTER,
  region: 'us-east-1',
  'role-to-assume': 'arn:aws:iam::123456789012:role/gantry-deploy',
  'image-repository': 'shop',
  'base-repository': 'shop-base',
  'base-dockerfile': 'docker/base.Dockerfile',
  'base-hash-files': 'composer.lock',
  'deploy-timeout': '20m',
  services: JSON.stringify(services),
  ...extra,
});

beforeAll(async () => {
  sim = await startSimulator({ port: 0, speed: 600 });
  const { AWS_REGION, AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY } = sim.env;
  ecs = new ECSClient({ endpoint: sim.endpoint, region: AWS_REGION, credentials: { accessKeyId: AWS_ACCESS_KEY_ID!, secretAccessKey: AWS_SECRET_ACCESS_KEY! } });
  workspace = await mkdtemp(join(tmpdir(), 'gantry-rehearsal-'));
  await mkdir(join(workspace, '.aws'));
  await ecs.send(new CreateClusterCommand({ clusterName: CLUSTER }));
});

afterAll(async () => {
  ecs?.destroy();
  await sim?.stop();
  if (workspace) await rm(workspace, { recursive: true, force: true });
});

describe('deploy.yml rehearsed against the simulator', () => {
  test('build → deploy web and worker (matrix) → guard: both services end on the new revision with the built image', async () => {
    const v1 = await control().seedImage({ repositoryName: 'shop', tags: ['v1'] });
    const oldImage = `${sim.accountId}.dkr.ecr.${sim.region}.amazonaws.com/shop@${v1.imageDigest}`;
    await createService('shop-web', 'app', oldImage);
    await createService('shop-worker', 'worker', oldImage);

    const wf = await loadWorkflow('.github/workflows/deploy.yml');
    const r = await rehearseWorkflow(wf, {
      inputs: deployInputs([
        { service: 'shop-web', 'task-definition': '.aws/shop-web.json', container: 'app' },
        { service: 'shop-worker', 'task-definition': '.aws/shop-worker.json', container: 'worker' },
      ]),
      env: sim.env,
      workspace,
      github: { sha: SHA },
      replaceAction: { 'build-image': buildImageStandIn },
    });
    expect(explain(r)).toBe('');
    expect(r.jobs.base!.result).toBe('success');
    expect(r.jobs.build!.result).toBe('success');
    expect(r.jobs.migrate!.result).toBe('skipped');
    expect(r.jobs.deploy!.result).toBe('success');
    expect(r.jobs.guard!.result).toBe('success');

    const built = builtImage(r);
    expect(built).toMatch(/\/shop@sha256:[0-9a-f]{64}$/);
    // Each matrix leg: its own concurrency group and the environment's approvals.
    expect(r.jobs.deploy!.legs.map((l) => l.concurrency).sort()).toEqual(['gantry-deploy-production-shop-shop-web', 'gantry-deploy-production-shop-shop-worker']);
    expect(r.jobs.deploy!.legs.every((l) => l.environment === 'production')).toBe(true);

    const deploySteps = r.steps.filter((s) => s.job === 'deploy' && s.id === 'deploy');
    expect(deploySteps.map((s) => s.outputs.status)).toEqual(['success', 'success']);
    for (const service of await servicesNow('shop-web', 'shop-worker')) {
      const td = (await ecs.send(new DescribeTaskDefinitionCommand({ taskDefinition: service.taskDefinition! }))).taskDefinition!;
      expect([service.serviceName, td.containerDefinitions![0]!.image]).toEqual([service.serviceName, built]);
      expect(service.deployments!.filter((d) => d.status === 'PRIMARY')[0]!.rolloutState).toBe('COMPLETED');
    }
    // The register step got exactly what the workflow wires: container=image from the build job.
    const register = r.steps.find((s) => s.job === 'deploy' && s.id === 'register' && (s.leg?.service as { service: string }).service === 'shop-web')!;
    expect(register.inputs).toMatchObject({ 'task-definition': '.aws/shop-web.json', containers: `app=${built}` });
    const guard = r.steps.find((s) => s.job === 'guard' && s.uses?.includes('ecr-lifecycle-guard'))!;
    expect(guard.inputs).toMatchObject({ mode: 'protect', clusters: CLUSTER, repositories: 'shop' });
  });

  test('a service whose image crashes fails alone (fail-fast off); the others deploy and the guard still runs', async () => {
    const broken = await control().seedImage({ repositoryName: 'shop-ws', tags: ['broken'] });
    const brokenImage = `${sim.accountId}.dkr.ecr.${sim.region}.amazonaws.com/shop-ws@${broken.imageDigest}`;
    // Reaches RUNNING, then crashes: whether ECS's circuit breaker trips or the deployment "completes" with
    // its tasks dying (Copilot #1879), deploy-service must fail it.
    await control().setImageBehaviour(brokenImage, { startSeconds: 2, exitAfterSeconds: 3, exitCode: 1 });
    const good = await control().seedImage({ repositoryName: 'shop-ws', tags: ['good'] });
    await createService('shop-websocket', 'reverb', `${sim.accountId}.dkr.ecr.${sim.region}.amazonaws.com/shop-ws@${good.imageDigest}`);

    const wf = await loadWorkflow('.github/workflows/deploy.yml');
    const r = await rehearseWorkflow(wf, {
      inputs: deployInputs([
        { service: 'shop-web', 'task-definition': '.aws/shop-web.json', container: 'app' },
        { service: 'shop-websocket', 'task-definition': '.aws/shop-websocket.json', container: 'reverb', image: brokenImage },
      ]),
      env: sim.env,
      workspace,
      github: { sha: SHA },
      replaceAction: { 'build-image': buildImageStandIn },
    });
    expect(r.jobs.deploy!.result).toBe('failure');
    const byService = Object.fromEntries(
      r.steps.filter((s) => s.job === 'deploy' && s.id === 'deploy').map((s) => [(s.leg?.service as { service: string }).service, s]),
    );
    expect(byService['shop-web']!.outputs.status).toBe('success');
    expect(byService['shop-websocket']!.outcome).toBe('failure');
    expect(byService['shop-websocket']!.outputs.status).toBe('failed');
    expect(byService['shop-websocket']!.action!.errors.join('\n')).toMatch(/circuit breaker|exit/i);
    // The guard runs after a failed deploy: the rolled-back service's image must stay protected.
    expect(r.jobs.guard!.result).toBe('success');
  });

  test('a failing one-off task (migration) stops every deploy; the services keep their revision', async () => {
    const [before] = await servicesNow('shop-web');
    const wf = await loadWorkflow('.github/workflows/deploy.yml');
    const r = await rehearseWorkflow(wf, {
      inputs: deployInputs([{ service: 'shop-web', 'task-definition': '.aws/shop-web.json', container: 'app' }], { 'migration-command': 'php artisan migrate --force' }),
      env: sim.env,
      workspace,
      github: { sha: 'badbad'.padEnd(40, '0') },
      replaceAction: {
        // This build's image exits 1 at once: the migration fails.
        'build-image': async (inputs) => {
          const outputs = await buildImageStandIn(inputs);
          if (outputs.image) await control().setImageBehaviour(outputs.image, { startSeconds: 1, exitAfterSeconds: 1, exitCode: 1 });
          return outputs;
        },
      },
    });
    expect(r.jobs.migrate!.result).toBe('failure');
    const run = r.steps.find((s) => s.job === 'migrate' && s.id === 'run')!;
    expect(run.inputs).toMatchObject({ cluster: CLUSTER, command: 'php artisan migrate --force', container: 'app', 'network-from-service': 'shop-web' });
    expect(run.outputs['exit-code']).toBe('1');
    expect(r.jobs.deploy!.result).toBe('skipped');
    const [after] = await servicesNow('shop-web');
    expect(after!.taskDefinition).toBe(before!.taskDefinition);
  });

  test('a successful one-off task (migration) on the web image streams its log and exits 0; then every service deploys', async () => {
    const migrationLogs = ['Migrating: 2026_11_01_create_orders', 'Migrated:  2026_11_01_create_orders (12.30ms)'];
    const wf = await loadWorkflow('.github/workflows/deploy.yml');
    const r = await rehearseWorkflow(wf, {
      inputs: deployInputs(
        [
          { service: 'shop-web', 'task-definition': '.aws/shop-web.json', container: 'app' },
          { service: 'shop-worker', 'task-definition': '.aws/shop-worker.json', container: 'worker' },
        ],
        { 'migration-command': 'php artisan migrate --force' },
      ),
      env: sim.env,
      workspace,
      github: { sha: 'feed00'.padEnd(40, '0') },
      replaceAction: {
        // One image for every process: it serves (never exits) as a service, and migrates then exits 0
        // when run with the migration command.
        'build-image': async (inputs) => {
          const outputs = await buildImageStandIn(inputs);
          if (outputs.image) await control().setImageBehaviour(outputs.image, { commands: { 'php artisan migrate --force': { startSeconds: 1, exitAfterSeconds: 2, exitCode: 0, logs: migrationLogs } } });
          return outputs;
        },
      },
    });
    expect(explain(r)).toBe('');
    expect(r.jobs.migrate!.result).toBe('success');
    const run = r.steps.find((s) => s.job === 'migrate' && s.id === 'run')!;
    expect(run.inputs).toMatchObject({ cluster: CLUSTER, command: 'php artisan migrate --force', container: 'app', 'network-from-service': 'shop-web' });
    expect(run.outputs['exit-code']).toBe('0');
    // register-task-definition's log defaults (awslogs) let run-task stream the container's output.
    for (const line of migrationLogs) expect(run.log).toContain(`| ${line}`);
    expect(run.log).toMatch(/container 'app' exited with code 0/);

    expect(r.jobs.deploy!.result).toBe('success');
    const deploySteps = r.steps.filter((s) => s.job === 'deploy' && s.id === 'deploy');
    expect(deploySteps.map((s) => s.outputs.status)).toEqual(['success', 'success']);
    // The web deploy renders what the migration ran: the same revision, reused rather than registered again.
    const webRegister = r.steps.find((s) => s.job === 'deploy' && s.id === 'register' && (s.leg?.service as { service: string }).service === 'shop-web')!;
    expect(webRegister.outputs['task-definition-arn']).toBe(r.jobs.migrate!.outputs['task-definition-arn']);
    const built = builtImage(r);
    for (const service of await servicesNow('shop-web', 'shop-worker')) {
      const td = (await ecs.send(new DescribeTaskDefinitionCommand({ taskDefinition: service.taskDefinition! }))).taskDefinition!;
      expect([service.serviceName, td.containerDefinitions![0]!.image]).toEqual([service.serviceName, built]);
      expect([service.serviceName, service.runningCount]).toEqual([service.serviceName, service.desiredCount]);
    }
    expect(r.jobs.guard!.result).toBe('success');
  });
});

const hasAwsCli = spawnSync('aws', ['--version']).status === 0;

describe('manual-deploy.yml rehearsed against the simulator', () => {
  test('mode deploy: the service\'s current definition with a new image, watched to success', async () => {
    const v3 = await control().seedImage({ repositoryName: 'shop', tags: ['v3'] });
    const wf = await loadWorkflow('.github/workflows/manual-deploy.yml');
    const r = await rehearseWorkflow(wf, {
      inputs: { mode: 'deploy', service: 'shop-worker', container: 'worker', image: `${sim.accountId}.dkr.ecr.${sim.region}.amazonaws.com/shop:v3`, cluster: CLUSTER, region: 'us-east-1', 'role-to-assume': 'arn:aws:iam::123456789012:role/gantry-deploy' },
      env: sim.env,
      workspace,
    });
    expect(explain(r)).toBe('');
    const deploy = r.steps.find((s) => s.id === 'deploy')!;
    expect(deploy.outputs.status).toBe('success');
    const [worker] = await servicesNow('shop-worker');
    const td = (await ecs.send(new DescribeTaskDefinitionCommand({ taskDefinition: worker!.taskDefinition! }))).taskDefinition!;
    expect(td.containerDefinitions![0]!.image).toMatch(new RegExp(`/shop@${v3.imageDigest}$`));
    expect(r.steps.find((s) => s.id === 'resolve')!.outcome).toBe('skipped');
  });

  (hasAwsCli ? test : test.skip)('mode rollback (needs the aws CLI, as on GitHub runners): back to the previous revision', async () => {
    const [current] = await servicesNow('shop-worker');
    const currentRevision = Number(current!.taskDefinition!.split(':').pop());
    const wf = await loadWorkflow('.github/workflows/manual-deploy.yml');
    const r = await rehearseWorkflow(wf, {
      inputs: { mode: 'rollback', service: 'shop-worker', cluster: CLUSTER, region: 'us-east-1', 'role-to-assume': 'arn:aws:iam::123456789012:role/gantry-deploy' },
      env: sim.env,
      workspace,
    });
    expect(explain(r)).toBe('');
    const resolved = r.steps.find((s) => s.id === 'resolve')!.outputs['task-definition-arn']!;
    expect(resolved).toMatch(new RegExp(`task-definition/shop-worker:${currentRevision - 1}$`));
    expect(r.steps.find((s) => s.id === 'deploy')!.outputs.status).toBe('success');
    const [after] = await servicesNow('shop-worker');
    expect(after!.taskDefinition).toBe(resolved);
  });
});

if (!hasAwsCli) console.log('rehearsal: the aws CLI is not installed, so the rollback rehearsal (which runs the workflow\'s aws CLI script) is skipped');
