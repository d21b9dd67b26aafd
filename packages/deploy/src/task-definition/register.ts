import { DescribeTaskDefinitionCommand, RegisterTaskDefinitionCommand, type ECSClient } from '@aws-sdk/client-ecs';
import { UserError } from '@gantry/github';
import { notice, type Logger } from '../runtime.js';
import { differingPaths, normalizeTaskDefinition } from './normalize.js';
import type { JsonObject, TaskDefinitionInput } from './types.js';

export interface RegistrationResult {
  taskDefinitionArn: string;
  family: string;
  revision: number;
  /** False when the family's latest ACTIVE revision already equals the rendered definition. */
  changed: boolean;
  /** Differences from the latest ACTIVE revision (JSON paths), empty when it was reused or new. */
  differences: string[];
}

/** The family's latest ACTIVE revision, or undefined when the family has none. */
export async function latestActiveRevision(ecs: ECSClient, family: string): Promise<JsonObject | undefined> {
  try {
    // Describing a bare family returns its latest ACTIVE revision.
    // https://docs.aws.amazon.com/AmazonECS/latest/APIReference/API_DescribeTaskDefinition.html
    const out = await ecs.send(new DescribeTaskDefinitionCommand({ taskDefinition: family }));
    return out.taskDefinition as unknown as JsonObject | undefined;
  } catch (err) {
    if ((err as Error).name === 'ClientException') return undefined;
    throw err;
  }
}

/**
 * Registers the definition unless the family's latest ACTIVE revision is equal after normalisation, in
 * which case that revision is reused (one revision can serve web and worker alike).
 */
export async function registerIfChanged(ecs: ECSClient, definition: JsonObject, logger: Logger): Promise<RegistrationResult> {
  const family = String(definition.family);
  const latest = await latestActiveRevision(ecs, family);
  if (latest) {
    const differences = differingPaths(normalizeTaskDefinition(latest), normalizeTaskDefinition(definition));
    if (differences.length === 0) {
      notice(logger, `${latest.taskDefinitionArn} already matches the rendered definition; reusing it instead of registering a new revision.`);
      return { taskDefinitionArn: String(latest.taskDefinitionArn), family, revision: Number(latest.revision), changed: false, differences };
    }
    logger.info(`Differences from ${family}:${String(latest.revision)}: ${differences.join(', ')}`);
  } else {
    logger.info(`Family '${family}' has no ACTIVE revision yet.`);
  }
  try {
    const out = await ecs.send(new RegisterTaskDefinitionCommand(definition as unknown as TaskDefinitionInput));
    const td = out.taskDefinition;
    if (!td?.taskDefinitionArn) throw new Error('RegisterTaskDefinition returned no task definition ARN');
    logger.info(`Registered ${td.taskDefinitionArn}.`);
    return { taskDefinitionArn: td.taskDefinitionArn, family, revision: td.revision ?? 0, changed: true, differences: latest ? differingPaths(normalizeTaskDefinition(latest), normalizeTaskDefinition(definition)) : [] };
  } catch (err) {
    if ((err as Error).name === 'ClientException') {
      throw new UserError(`ECS rejected the task definition for family '${family}': ${(err as Error).message}`, 'Fix the task definition file or inputs; nothing was registered.');
    }
    throw err;
  }
}
