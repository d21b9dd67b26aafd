import type { JsonObject } from './types.js';

/**
 * Fields DescribeTaskDefinition returns that RegisterTaskDefinition rejects ("Unexpected key"): a file
 * copied from the console or `describe-task-definition` carries them.
 * https://docs.aws.amazon.com/AmazonECS/latest/APIReference/API_TaskDefinition.html
 */
export const READ_ONLY_FIELDS = [
  'taskDefinitionArn',
  'revision',
  'status',
  'requiresAttributes',
  'compatibilities',
  'registeredAt',
  'registeredBy',
  'deregisteredAt',
  'deleteRequestedAt',
] as const;

export function dropReadOnlyFields(definition: JsonObject): { definition: JsonObject; dropped: string[] } {
  const out: JsonObject = {};
  const dropped: string[] = [];
  for (const [key, value] of Object.entries(definition)) {
    if ((READ_ONLY_FIELDS as readonly string[]).includes(key)) dropped.push(key);
    else out[key] = value;
  }
  return { definition: out, dropped };
}
