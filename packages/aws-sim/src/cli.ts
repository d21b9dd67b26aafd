import { parseArgs } from 'node:util';
import { startSimulator } from './simulator.js';
import { QUOTA_MODELS, type QuotaModel } from './protocol/quotas.js';
import type { CreatedResources } from './scenario-resources.js';

const USAGE = `Usage: gantry-sim start [--port PORT] [--registry URL] [--speed FACTOR] [--scenario FILE]

  --port PORT        port on 127.0.0.1 (default 4566; 0 picks a free one)
  --registry URL     back ECR with a real OCI registry, e.g. http://127.0.0.1:5000
  --speed FACTOR     simulated seconds per real second (default 1)
  --scenario FILE    image behaviours, timing, load balancers, alarms, hook outcomes (JSON or YAML), see README.md
  --quotas MODEL     off (default): never throttles; aws: AWS's API rate quotas (ECS token buckets,
                     ECR per-action rates) per account and region, answering ThrottlingException

Stops on Ctrl-C (SIGINT) or SIGTERM. Control API: POST <endpoint>/_sim/<operation>.`;

/** `gantry-sim start ...`: runs the simulator in the foreground until SIGINT/SIGTERM. */
export async function main(argv: string[]): Promise<number> {
  const [command, ...rest] = argv;
  if (command === '--help' || command === '-h' || command === 'help') {
    console.log(USAGE);
    return 0;
  }
  if (command !== 'start') {
    console.error(`gantry-sim: unknown command '${command ?? ''}'.\n\n${USAGE}`);
    return 2;
  }
  let values: { port?: string; registry?: string; speed?: string; scenario?: string; quotas?: string };
  try {
    ({ values } = parseArgs({ args: rest, options: { port: { type: 'string' }, registry: { type: 'string' }, speed: { type: 'string' }, scenario: { type: 'string' }, quotas: { type: 'string' } }, strict: true }));
  } catch (err) {
    console.error(`gantry-sim: ${(err as Error).message}\n\n${USAGE}`);
    return 2;
  }
  const port = Number(values.port ?? 4566);
  const speed = Number(values.speed ?? 1);
  if (!Number.isInteger(port) || port < 0 || port > 65535) return fail(`--port must be a port number, got '${values.port}'`);
  if (!Number.isFinite(speed) || speed < 0) return fail(`--speed must be a number >= 0, got '${values.speed}'`);
  const quotas = values.quotas ?? 'off';
  if (!QUOTA_MODELS.includes(quotas as QuotaModel)) return fail(`--quotas must be ${QUOTA_MODELS.join(' or ')}, got '${values.quotas}'`);
  if (values.registry !== undefined && !isHttpUrl(values.registry)) return fail(`--registry must be an http(s) URL of an OCI registry such as http://127.0.0.1:5000, got '${values.registry}'`);
  let sim: Awaited<ReturnType<typeof startSimulator>>;
  try {
    sim = await startSimulator({ port, speed, registryUrl: values.registry, scenario: values.scenario, quotas: quotas as QuotaModel });
  } catch (err) {
    // One line naming the flag, no stack trace: the message says what is wrong and how to fix it.
    return fail(`${flagOf(err as Error, values)}${oneLine((err as Error).message)}`);
  }
  const lines = [
    `gantry-sim listening on ${sim.endpoint} (speed ${speed}x${values.registry ? `, registry ${values.registry}` : ''}${values.scenario ? `, scenario ${values.scenario}` : ''}${quotas === 'aws' ? ', AWS quotas' : ''})`,
    '# point any AWS SDK or the AWS CLI at it:',
    ...Object.entries(sim.env).map(([k, v]) => `export ${k}=${v}`),
    ...createdLines(sim.scenario?.created),
  ];
  // One write, so a reader that sees the endpoint also sees every export.
  process.stdout.write(lines.join('\n') + '\n');
  await new Promise<void>((resolve) => {
    const stop = () => resolve();
    process.once('SIGINT', stop);
    process.once('SIGTERM', stop);
  });
  await sim.stop();
  console.log('gantry-sim stopped');
  return 0;
}

/** What the scenario created, as comments (the output stays valid shell): kind, name, ARN. */
function createdLines(created: CreatedResources | undefined): string[] {
  if (!created) return [];
  const kinds: [string, Record<string, string>][] = [
    ['load balancer', created.loadBalancers],
    ['target group', created.targetGroups],
    ['listener', created.listeners],
    ['listener rule', created.rules],
    ['alarm', created.alarms],
  ];
  return [`# the scenario created in ${created.region}:`, ...kinds.flatMap(([kind, byName]) => Object.entries(byName).map(([name, arn]) => `#   ${kind} ${name}: ${arn}`))];
}

function isHttpUrl(value: string): boolean {
  try {
    const url = new URL(value);
    return (url.protocol === 'http:' || url.protocol === 'https:') && url.host !== '';
  } catch {
    return false;
  }
}

/** The flag a start-up error comes from, as a prefix ("--scenario: "), when the message does not name it. */
function flagOf(err: Error, values: { port?: string; registry?: string; scenario?: string }): string {
  const m = err.message;
  if (/^port /.test(m)) return '--port: ';
  if (/^scenario/.test(m) || /^image behaviour for/.test(m)) return values.scenario ? '--scenario: ' : '';
  if (/registry/i.test(m) && values.registry) return '--registry: ';
  return '';
}

function oneLine(text: string): string {
  return text.split(/\r?\n/)[0]!.trim();
}

function fail(message: string): number {
  console.error(`gantry-sim: ${message}`);
  return 2;
}

process.exitCode = await main(process.argv.slice(2));
