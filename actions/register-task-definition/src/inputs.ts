import { Inputs, InputError, type InputSource } from '@gantry/github';
import type { RenderOptions, TaskDefinitionSource } from '@gantry/deploy/task-definition';

export interface ActionInputs {
  source: TaskDefinitionSource;
  render: Omit<RenderOptions, 'logDefaults'>;
  logDefaults: boolean;
  logGroup?: string;
  pinImages: boolean;
  nonEcrImages: 'keep' | 'error';
  dryRun: boolean;
  region?: string;
  /** Where the rendered file is written. */
  outputDir: string;
}

const CONTAINER_KEY = /^([A-Za-z0-9_-]+:)?[A-Za-z_][A-Za-z0-9_]*$/;

export function getInputs(env: InputSource = process.env): ActionInputs {
  const inputs = new Inputs(env);
  const file = inputs.string('task-definition', { example: '.aws/task-definition.json' });
  const fromService = inputs.string('from-service', { example: 'web' });
  const arn = inputs.string('task-definition-arn', { example: 'app:12' });
  const given = [file, fromService, arn].filter(Boolean).length;
  if (given !== 1) {
    throw new InputError('task-definition', given === 0 ? 'is required unless from-service or task-definition-arn is set' : 'cannot be combined with from-service or task-definition-arn; give exactly one source', '.aws/task-definition.json');
  }
  const cluster = inputs.string('cluster', { example: 'production', default: 'default' });
  const source: TaskDefinitionSource = file ? { kind: 'file', path: file } : fromService ? { kind: 'service', cluster, service: fromService } : { kind: 'arn', taskDefinition: arn! };
  const labels = inputs.map('docker-labels', { example: 'team=payments' });
  if (inputs.boolean('add-run-labels', { default: true })) {
    if (env.GITHUB_SHA) labels['org.opencontainers.image.revision'] ??= env.GITHUB_SHA;
    if (env.GITHUB_RUN_ID && env.GITHUB_REPOSITORY) labels['dev.gantry.run-url'] ??= `${env.GITHUB_SERVER_URL ?? 'https://github.com'}/${env.GITHUB_REPOSITORY}/actions/runs/${env.GITHUB_RUN_ID}`;
  }
  return {
    source,
    render: {
      family: inputs.string('family', { example: 'app-worker', pattern: /^[A-Za-z0-9_-]{1,255}$/, patternHint: 'letters, digits, hyphens and underscores' }),
      images: inputs.map('containers', { example: 'web=123456789012.dkr.ecr.eu-west-1.amazonaws.com/app:abc123', keyPattern: /^[A-Za-z0-9_-]+$/ }),
      environment: inputs.map('environment', { example: 'APP_ENV=production', keyPattern: CONTAINER_KEY }),
      secrets: inputs.map('secrets', { example: 'DB_PASSWORD=arn:aws:secretsmanager:eu-west-1:123456789012:secret:db-AbCdEf:password::', keyPattern: CONTAINER_KEY }),
      dockerLabels: labels,
    },
    logDefaults: inputs.boolean('log-defaults', { default: true }),
    logGroup: inputs.string('log-group', { example: '/ecs/app' }),
    pinImages: inputs.boolean('pin-images', { default: true }),
    nonEcrImages: inputs.enum('non-ecr-images', { example: 'keep', values: ['keep', 'error'] as const, default: 'keep' })!,
    dryRun: inputs.boolean('dry-run', { default: false }),
    region: inputs.string('aws-region', { example: 'eu-west-1' }),
    outputDir: env.RUNNER_TEMP || process.cwd(),
  };
}
