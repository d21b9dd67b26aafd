import { Inputs, InputError, UserError, type InputSource } from '@gantry/github';
import { SECRET_REFERENCE_FIX, secretReferenceProblem } from '@gantry/deploy/task-definition';
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
const SECRETS_EXAMPLE = 'DB_PASSWORD=arn:aws:secretsmanager:eu-west-1:123456789012:secret:db-AbCdEf:password::';

/** Every `secrets` value must be a reference; a value that is not one is never printed (it may be the secret). */
function secretReferences(secrets: Record<string, string>): Record<string, string> {
  for (const [key, valueFrom] of Object.entries(secrets)) {
    const problem = secretReferenceProblem(valueFrom);
    if (problem) throw new UserError(`Input 'secrets': '${key}' ${problem}.`, SECRET_REFERENCE_FIX);
  }
  return secrets;
}

export function getInputs(env: InputSource = process.env): ActionInputs {
  const inputs = new Inputs(env);
  const file = inputs.string('task-definition', { example: '.aws/task-definition.json' });
  const fromService = inputs.string('from-service', { example: 'web' });
  const arn = inputs.string('task-definition-arn', { example: 'app:12' });
  const given = ([['task-definition', file], ['from-service', fromService], ['task-definition-arn', arn]] as const).filter(([, v]) => v).map(([name]) => name);
  if (given.length === 0) throw new InputError('task-definition', 'is required unless from-service or task-definition-arn is set', '.aws/task-definition.json');
  if (given.length > 1) {
    throw new UserError(`Inputs ${given.map((n) => `'${n}'`).join(' and ')} are both set; give exactly one source of the task definition.`, `Remove '${given[1]}' (or '${given[0]}').`);
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
      environment: inputs.map('environment', { example: 'APP_ENV=production', keyPattern: CONTAINER_KEY, keyHint: 'NAME or container:NAME' }),
      secrets: secretReferences(inputs.map('secrets', { example: SECRETS_EXAMPLE, keyPattern: CONTAINER_KEY, keyHint: 'NAME or container:NAME' })),
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
