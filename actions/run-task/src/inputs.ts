import { InputError, Inputs, type InputSource } from '@gantry/github';
import { parseCommand, type CapacityInput, type NetworkInput } from '@gantry/deploy/run-task';

export interface ActionInputs {
  cluster: string;
  taskDefinition: string;
  container?: string;
  command?: string[];
  environment: Record<string, string>;
  networkFromService?: string;
  network?: NetworkInput;
  capacity: CapacityInput;
  pollMs: number;
  timeoutMs: number;
  region?: string;
  startedBy: string;
}

/** EC2 resource ids: the prefix, then 8 or 17 hex digits. https://docs.aws.amazon.com/AWSEC2/latest/APIReference/API_Subnet.html */
const SUBNET_ID = /^subnet-([0-9a-f]{8}|[0-9a-f]{17})$/;
const SECURITY_GROUP_ID = /^sg-([0-9a-f]{8}|[0-9a-f]{17})$/;
/** "There's a limit of 16 subnets" / "of 5 security groups". https://docs.aws.amazon.com/AmazonECS/latest/APIReference/API_AwsVpcConfiguration.html */
const MAX_SUBNETS = 16;
const MAX_SECURITY_GROUPS = 5;

export function getInputs(env: InputSource = process.env): ActionInputs {
  const inputs = new Inputs(env);
  const cluster = inputs.string('cluster', { example: 'production', required: true });
  const taskDefinition = inputs.string('task-definition', { example: '${{ steps.taskdef.outputs.task-definition-arn }}', required: true });
  const command = inputs.string('command', { example: 'php artisan migrate --force' });
  const networkFromService = inputs.string('network-from-service', { example: 'web' });
  const subnets = ids(inputs.list('subnets', { example: 'subnet-0123456789abcdef0', separator: 'comma' }), 'subnets', SUBNET_ID, MAX_SUBNETS, 'subnet-0123456789abcdef0');
  const securityGroups = ids(inputs.list('security-groups', { example: 'sg-0123456789abcdef0', separator: 'comma' }), 'security-groups', SECURITY_GROUP_ID, MAX_SECURITY_GROUPS, 'sg-0123456789abcdef0');
  const publicIp = inputs.enum('assign-public-ip', { example: 'false', values: ['true', 'false'] as const });
  if (!subnets.length && !networkFromService) {
    for (const [name, set] of [['security-groups', securityGroups.length > 0], ['assign-public-ip', publicIp !== undefined]] as const) {
      if (set) throw new InputError(name, "needs 'subnets' or 'network-from-service' (ECS takes them only together with subnets)", name === 'security-groups' ? 'sg-0123456789abcdef0 (with subnets: subnet-0123456789abcdef0)' : 'true (with subnets: subnet-0123456789abcdef0)');
    }
  }
  const launchType = inputs.enum('launch-type', { example: 'FARGATE', values: ['FARGATE', 'EC2', 'EXTERNAL'] as const });
  const strategy = capacityProviderStrategy(inputs.list('capacity-provider-strategy', { example: 'FARGATE_SPOT:3, FARGATE:1:1', separator: 'comma' }));
  if (launchType && strategy.length) throw new InputError('launch-type', "cannot be combined with 'capacity-provider-strategy' (RunTask takes one or the other)", 'FARGATE');
  return {
    cluster,
    taskDefinition,
    container: inputs.string('container', { example: 'web' }),
    command: command ? parseCommand(command) : undefined,
    environment: inputs.map('environment', { example: 'LOG_LEVEL=debug', keyPattern: /^[A-Za-z_][A-Za-z0-9_]*$/, keyHint: 'letters, digits and underscores, not starting with a digit' }),
    networkFromService,
    network: subnets.length || securityGroups.length || publicIp !== undefined ? { subnets, securityGroups, assignPublicIp: publicIp === undefined ? undefined : publicIp === 'true' } : undefined,
    capacity: { ...(launchType ? { launchType } : {}), ...(strategy.length ? { capacityProviderStrategy: strategy } : {}) },
    pollMs: inputs.duration('poll-interval', { example: '2s', default: 2000, minMs: 500, maxMs: 60_000 })!,
    timeoutMs: inputs.duration('timeout', { example: '30m', default: 30 * 60_000, minMs: 1000, maxMs: 12 * 3_600_000 })!,
    region: inputs.string('aws-region', { example: 'eu-west-1' }),
    startedBy: env.GITHUB_RUN_ID ? `gantry/run-task/${env.GITHUB_RUN_ID}` : 'gantry/run-task',
  };
}

function ids(values: string[], input: string, pattern: RegExp, max: number, example: string): string[] {
  const bad = values.find((v) => !pattern.test(v));
  if (bad !== undefined) throw new InputError(input, `has '${bad}', which is not an id of the form ${example.replace(/-.*/, '-')}<8 or 17 hex digits>`, example);
  if (values.length > max) throw new InputError(input, `lists ${values.length} ids; RunTask accepts at most ${max}`, example);
  return values;
}

/** `provider[:weight[:base]]` items, e.g. `FARGATE_SPOT:3, FARGATE:1:1`. https://docs.aws.amazon.com/AmazonECS/latest/APIReference/API_CapacityProviderStrategyItem.html */
function capacityProviderStrategy(items: string[]): NonNullable<CapacityInput['capacityProviderStrategy']> {
  return items.map((item) => {
    const m = /^([A-Za-z0-9_-]{1,255})(?::(\d{1,4}))?(?::(\d{1,6}))?$/.exec(item);
    const weight = m?.[2] === undefined ? undefined : Number(m[2]);
    const base = m?.[3] === undefined ? undefined : Number(m[3]);
    if (!m || (weight !== undefined && weight > 1000) || (base !== undefined && base > 100_000)) {
      throw new InputError('capacity-provider-strategy', `has '${item}', which is not provider[:weight[:base]] (weight 0-1000, base 0-100000)`, 'FARGATE_SPOT:3, FARGATE:1:1');
    }
    return { capacityProvider: m[1]!, ...(weight !== undefined ? { weight } : {}), ...(base !== undefined ? { base } : {}) };
  });
}
