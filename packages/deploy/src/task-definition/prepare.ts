import type { ECRClient } from '@aws-sdk/client-ecr';
import type { ECSClient } from '@aws-sdk/client-ecs';
import { UserError } from '@gantry/github';
import { notice, type Logger } from '../runtime.js';
import { loadTaskDefinition, type TaskDefinitionSource } from './load.js';
import { resolveImages, type ImageResolution } from './pin-images.js';
import { dropReadOnlyFields } from './read-only.js';
import { registerIfChanged, type RegistrationResult } from './register.js';
import { renderTaskDefinition, type RenderOptions } from './render.js';
import { isObject, type JsonObject } from './types.js';
import { validateTaskDefinition } from './validate.js';

export interface PrepareOptions {
  source: TaskDefinitionSource;
  render: RenderOptions;
  ecs: ECSClient;
  ecrFor: (region: string) => ECRClient;
  logger: Logger;
  pinImages?: boolean;
  nonEcrImages?: 'keep' | 'error';
  /** Region of this account's own registry (see PinOptions.registryRegion). */
  registryRegion?: string;
  /** Render and validate only; register nothing. */
  dryRun?: boolean;
}

export interface PreparedTaskDefinition {
  definition: JsonObject;
  images: ImageResolution[];
  /** Absent on a dry run. */
  registration?: RegistrationResult;
}

/**
 * Load → drop read-only fields → render → validate (ECS model, containers, Fargate size, images in ECR)
 * → pin images by digest → register only when different from the latest ACTIVE revision. Every problem
 * is reported in one error before anything is registered.
 */
export async function prepareTaskDefinition(options: PrepareOptions): Promise<PreparedTaskDefinition> {
  const { logger } = options;
  const loaded = await loadTaskDefinition(options.source, options.ecs, logger);
  const { definition: writable, dropped } = dropReadOnlyFields(loaded);
  if (dropped.length > 0) notice(logger, `Dropped read-only fields that RegisterTaskDefinition does not accept: ${dropped.join(', ')}.`);
  const { definition: rendered, changes, loggedByDefault } = renderTaskDefinition(writable, options.render);
  for (const change of changes) logger.info(change);
  const { definition, problems } = validateTaskDefinition(rendered);
  if (loggedByDefault.length > 0 && !definition.executionRoleArn) {
    // The role is needed because of log-defaults: say so, or the user hunts for an awslogs setting they never wrote.
    const at = problems.findIndex((p) => p.startsWith('FARGATE needs an executionRoleArn'));
    if (at >= 0) {
      problems[at] += `; log-defaults added awslogs logging to ${loggedByDefault.join(', ')}: add an executionRoleArn (it needs logs:CreateLogStream, logs:PutLogEvents and logs:CreateLogGroup) or set log-defaults: false`;
    }
  }
  const containers = (Array.isArray(definition.containerDefinitions) ? definition.containerDefinitions : [])
    .filter(isObject)
    .filter((c) => typeof c.name === 'string' && typeof c.image === 'string')
    .map((c) => ({ name: c.name as string, image: c.image as string }));
  const resolved = await resolveImages(containers, { ecrFor: options.ecrFor, pin: options.pinImages, nonEcrImages: options.nonEcrImages, registryRegion: options.registryRegion }, logger);
  problems.push(...resolved.problems);
  if (problems.length > 0) {
    throw new UserError(
      `The task definition is not valid, so nothing was registered: ${problems.length === 1 ? problems[0] : `\n- ${problems.join('\n- ')}`}`,
    );
  }
  for (const image of resolved.images) {
    const c = (definition.containerDefinitions as JsonObject[]).find((x) => x.name === image.container)!;
    if (image.pinned !== image.image) logger.info(`${image.container}: pinned ${image.image} → ${image.pinned}`);
    c.image = image.pinned;
  }
  if (options.dryRun) {
    logger.info('Dry run: nothing registered.');
    return { definition, images: resolved.images };
  }
  const registration = await registerIfChanged(options.ecs, definition, logger);
  return { definition, images: resolved.images, registration };
}
