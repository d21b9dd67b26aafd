import { Inputs, type InputSource } from '@gantry/github';
import { parseCommand, type NetworkInput } from '@gantry/deploy/run-task';

export interface ActionInputs {
  cluster: string;
  taskDefinition: string;
  container?: string;
  command?: string[];
  environment: Record<string, string>;
  networkFromService?: string;
  network?: NetworkInput;
  pollMs: number;
  timeoutMs: number;
  region?: string;
  startedBy: string;
}

export function getInputs(env: InputSource = process.env): ActionInputs {
  const inputs = new Inputs(env);
  const command = inputs.string('command', { example: 'php artisan migrate --force' });
  const subnets = inputs.list('subnets', { example: 'subnet-0123456789abcdef0' });
  const publicIp = inputs.enum('assign-public-ip', { example: 'false', values: ['true', 'false'] as const });
  return {
    cluster: inputs.string('cluster', { example: 'production', required: true }),
    taskDefinition: inputs.string('task-definition', { example: '${{ steps.taskdef.outputs.task-definition-arn }}', required: true }),
    container: inputs.string('container', { example: 'web' }),
    command: command ? parseCommand(command) : undefined,
    environment: inputs.map('environment', { example: 'LOG_LEVEL=debug' }),
    networkFromService: inputs.string('network-from-service', { example: 'web' }),
    network: subnets.length ? { subnets, securityGroups: inputs.list('security-groups', { example: 'sg-0123456789abcdef0' }), assignPublicIp: publicIp === undefined ? undefined : publicIp === 'true' } : undefined,
    pollMs: inputs.duration('poll-interval', { example: '2s', default: 2000, minMs: 500, maxMs: 60_000 })!,
    timeoutMs: inputs.duration('timeout', { example: '30m', default: 30 * 60_000, minMs: 1000, maxMs: 12 * 3_600_000 })!,
    region: inputs.string('aws-region', { example: 'eu-west-1' }),
    startedBy: env.GITHUB_RUN_ID ? `gantry/run-task/${env.GITHUB_RUN_ID}` : 'gantry/run-task',
  };
}
