import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { CreateServiceCommand, DescribeServicesCommand } from '@aws-sdk/client-ecs';
import { DescribeRulesCommand, ElasticLoadBalancingV2Client } from '@aws-sdk/client-elastic-load-balancing-v2';
import { createBlueGreenAlb } from '@gantry/aws-sim/testing';
import { runBundled } from './actions.js';
import { CLUSTER, SERVICES, expectThat, repositoryOf, type Demo } from './context.js';
import { bold, indent, keyLogLines, note, renderSummary } from './print.js';

const SERVICE = 'web-blue-green';
const ROLE = 'arn:aws:iam::123456789012:role/ecsInfrastructureRoleForLoadBalancers';
const revision = (arn: string | undefined) => arn?.split('/').pop() ?? '?';

/**
 * The web tier as a blue/green service: an ALB with a production (443) and a test (8443) listener, two
 * target groups, and a PAUSE hook at POST_TEST_TRAFFIC_SHIFT, so deploy-service can smoke-check the new
 * revision on the test listener before production traffic moves.
 * https://docs.aws.amazon.com/AmazonECS/latest/developerguide/alb-resources-for-blue-green.html
 */
async function blueGreenWeb(demo: Demo, elbv2: ElasticLoadBalancingV2Client, taskDefinition: string) {
  const { blueTargetGroup: blue, greenTargetGroup: green, productionRule: production, testRule: test } = await createBlueGreenAlb(elbv2, {
    name: 'shop-web',
    port: 8000,
    healthCheckPath: '/up',
    deregistrationDelaySeconds: 10,
    productionListenerPort: 443,
    testListenerPort: 8443,
    subnets: ['subnet-0a1b2c3d', 'subnet-0e1f2a3b'],
    vpcId: 'vpc-0a1b2c3d',
  });
  const web = SERVICES.find((s) => s.name === 'web')!;
  await demo.ecs.send(
    new CreateServiceCommand({
      cluster: CLUSTER,
      serviceName: SERVICE,
      taskDefinition,
      desiredCount: 2,
      launchType: 'FARGATE',
      networkConfiguration: { awsvpcConfiguration: { subnets: ['subnet-0a1b2c3d'], securityGroups: ['sg-0a1b2c3d'], assignPublicIp: 'DISABLED' } },
      loadBalancers: [{ targetGroupArn: blue, containerName: web.container, containerPort: 8000, advancedConfiguration: { alternateTargetGroupArn: green, productionListenerRule: production, testListenerRule: test, roleArn: ROLE } }],
      deploymentConfiguration: {
        strategy: 'BLUE_GREEN',
        bakeTimeInMinutes: 5,
        lifecycleHooks: [{ targetType: 'PAUSE', lifecycleStages: ['POST_TEST_TRAFFIC_SHIFT'], timeoutConfiguration: { timeoutInMinutes: 30, action: 'ROLLBACK' } }],
      },
    }),
  );
  await demo.sim.clock.advance(120_000);
  const greenShare = async () => {
    const r = (await elbv2.send(new DescribeRulesCommand({ RuleArns: [production] }))).Rules![0]!;
    return r.Actions!.find((a) => a.Type === 'forward')!.ForwardConfig!.TargetGroups!.find((g) => g.TargetGroupArn === green)?.Weight ?? 0;
  };
  return { greenShare };
}

/**
 * The test listener as the release answers it: release 44 boots and passes the load balancer's health
 * check (/up), but every page answers 500 because APP_KEY is empty. A real HTTP server on 127.0.0.1.
 */
async function testListener(): Promise<{ url: string; close(): void }> {
  const server = createServer((req, res) => {
    if (req.url === '/up') return void res.writeHead(200).end('ok');
    res.writeHead(500, { 'content-type': 'text/plain' }).end('RuntimeException: No application encryption key has been specified.');
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/checkout`,
    close: () => {
      server.closeAllConnections();
      server.close();
    },
  };
}

/** A blue/green web release that fails its smoke check on the test listener and never takes production traffic. */
export async function blueGreenRelease(demo: Demo): Promise<void> {
  const good = demo.state.deployed.web;
  const image = demo.state.release.web;
  if (!good || !image) return void expectThat(demo, false, '', 'no healthy web release to start the blue/green service from');
  const elbv2 = new ElasticLoadBalancingV2Client({ region: demo.sim.region, endpoint: demo.sim.endpoint, credentials: { accessKeyId: 'test', secretAccessKey: 'test' } });
  const listener = await testListener();
  try {
    const { greenShare } = await blueGreenWeb(demo, elbv2, good);
    note(demo.out, `${SERVICE}: BLUE_GREEN behind shop-web-alb (production :443, test :8443), PAUSE hook at POST_TEST_TRAFFIC_SHIFT, running ${revision(good)}`);
    note(demo.out, `release 44 only changes configuration: APP_KEY is empty, so it boots and passes /up, but every page answers 500`);
    const web = SERVICES.find((s) => s.name === 'web')!;
    const register = await runBundled('register-task-definition', {
      cwd: demo.workspace,
      env: demo.sim.env,
      inputs: {
        'task-definition': web.taskDefinitionFile,
        containers: `${web.container}=${demo.docker.available ? image.uri : `${demo.registryHost}/${repositoryOf(demo, 'web')}:${image.tag}`}`,
        environment: 'APP_KEY=',
      },
    });
    const td = register.outputs['task-definition-arn'];
    if (!td) return void expectThat(demo, false, '', `register-task-definition failed: ${register.errors.join('; ')}`);
    const deploy = await runBundled('deploy-service', {
      env: demo.sim.env,
      inputs: { cluster: CLUSTER, service: SERVICE, 'task-definition': td, 'poll-interval': '500ms', timeout: '10m', 'smoke-check-url': listener.url, 'smoke-check-window': '3s' },
    });
    demo.out.line(bold(`  deploy-service (${SERVICE})`));
    indent(demo.out, keyLogLines(deploy.log, (l) => /^\[(stage|traffic|hook|smoke|deployment)\]|ContinueServiceDeployment|Test traffic|response:|Outcome|Rolled back/.test(l), { warnings: false }).join('\n'));
    demo.out.line();
    indent(demo.out, renderSummary(deploy.summary));
    expectThat(demo, deploy.exitCode === 1 && deploy.outputs.status === 'failed', 'the smoke check caught release 44: deploy-service failed the step (exit 1)', `release 44 was not caught: exit ${deploy.exitCode}, status ${deploy.outputs.status}`);
    expectThat(demo, /smoke check failed on the test listener: .*expected status 200, got 500/.test(deploy.errors[0] ?? ''), `reason reported: ${(deploy.errors[0] ?? '').split('. ')[0]}`, `the smoke-check failure is not named (errors: ${deploy.errors.join('; ')})`);
    expectThat(demo, deploy.log.includes('Called ContinueServiceDeployment with ROLLBACK before production traffic moves.'), 'Gantry answered the PAUSE hook with ROLLBACK', 'ContinueServiceDeployment ROLLBACK was not called');
    expectThat(demo, revision(deploy.outputs['rolled-back-to']) === revision(good), `ECS rolls ${SERVICE} back to ${revision(good)}`, `expected a rollback to ${revision(good)}, got '${deploy.outputs['rolled-back-to']}'`);
    const share = await greenShare();
    const log = deploy.log;
    expectThat(demo, share === 0 && !/\[traffic\] production: \S+ \d+% \/ \S+ [1-9]/.test(log), 'production traffic never reached release 44 (production listener: 100% blue throughout)', `production traffic reached the bad release (green ${share}%)`);
    await demo.sim.clock.advance(60_000);
    const after = (await demo.ecs.send(new DescribeServicesCommand({ cluster: CLUSTER, services: [SERVICE] }))).services![0]!;
    expectThat(demo, after.taskDefinition === good, `ECS agrees: ${SERVICE} runs ${revision(after.taskDefinition)}`, `${SERVICE} is on ${revision(after.taskDefinition)}`);
  } finally {
    listener.close();
    elbv2.destroy();
  }
}
