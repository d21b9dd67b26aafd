import { join } from 'node:path';
import { InputError, Inputs, type InputSource } from '@gantry/github';
import { parseImage, type GuardMode } from '@gantry/guard';

export interface GuardInputs {
  mode: GuardMode | 'summarize';
  awsRegion?: string;
  clusters: string[];
  repositories: string[];
  rollbackRevisions: number;
  taskDefinitions: string[];
  images: string[];
  eventBuses: string[];
  scheduler: boolean;
  concurrency: number;
  /** Fraction (0–1] of each AWS API bucket the guard may use. */
  quotaShare: number;
  cachePath?: string;
  reportPath: string;
  /** summarize: the directory of guard reports to merge. */
  reports?: string;
}

/** Every input of action.yml, validated before anything talks to AWS. */
export function getInputs(source: InputSource = process.env): GuardInputs {
  const inputs = new Inputs(source);
  const awsRegion = inputs.string('aws-region', { example: 'eu-west-1', required: false });
  return {
    mode: inputs.enum('mode', { values: ['protect', 'verify', 'summarize'] as const, default: 'protect', example: 'verify' })!,
    ...(awsRegion ? { awsRegion } : {}),
    clusters: inputs.list('clusters', { example: 'prod, staging', separator: 'comma' }),
    repositories: inputs.list('repositories', { example: 'my-app, my-app-base', separator: 'comma' }),
    rollbackRevisions: inputs.integer('rollback-revisions', { example: '3', default: 3, min: 1, max: 100 })!,
    taskDefinitions: inputs.list('task-definitions', { example: 'my-app-migrate', separator: 'comma' }),
    images: imageReferences(inputs.list('images', { example: 'my-app:stable', separator: 'comma' })),
    eventBuses: inputs.list('event-buses', { example: 'default', default: ['default'], separator: 'comma' }),
    scheduler: inputs.boolean('scheduler', { default: true }),
    concurrency: inputs.integer('concurrency', { example: '8', default: 8, min: 1, max: 64 })!,
    quotaShare: inputs.integer('quota-share', { example: '40', default: 40, min: 1, max: 100 })! / 100,
    ...optional('cachePath', inputs.string('cache-path', { example: '.gantry/guard-cache.json', required: false })),
    ...optional('reports', inputs.string('reports', { example: 'guard-reports', required: false })),
    reportPath: inputs.string('report-path', { example: 'guard-report.json', required: false }) ?? join(source.RUNNER_TEMP ?? '.', 'ecr-lifecycle-guard-report.json'),
  };
}

const optional = <K extends string>(key: K, value: string | undefined) => (value ? ({ [key]: value } as Record<K, string>) : {});

/** Every entry of `images` must be an image reference: one that is not would protect nothing, silently. */
function imageReferences(images: string[]): string[] {
  images.forEach((image, i) => {
    const parsed = parseImage(image);
    const repository = /^[a-z0-9]+([._-]+[a-z0-9]+)*(\/[a-z0-9]+([._-]+[a-z0-9]+)*)*$/;
    if (!parsed || /\s/.test(image) || !repository.test(parsed.repository) || (parsed.tag !== undefined && !/^\w[\w.-]{0,127}$/.test(parsed.tag))) {
      throw new InputError('images', `has an entry that is not an image reference: item ${i + 1}, '${image}' (write repository:tag, repository@sha256:<64 hex digits> or a full image URI)`, 'my-app:stable');
    }
  });
  return images;
}
