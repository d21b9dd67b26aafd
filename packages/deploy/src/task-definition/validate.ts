import { checkAgainstEcsModel } from './ecs-model.js';
import { fargateSizeProblem } from './fargate.js';
import { environmentFileProblem, secretReferenceProblem } from './references.js';
import { isObject, type JsonObject } from './types.js';

/**
 * Everything RegisterTaskDefinition (and then the first task launch) would reject, found before any call
 * that changes AWS. Returns the definition coerced to the ECS model and every problem at once.
 */
export function validateTaskDefinition(definition: JsonObject): { definition: JsonObject; problems: string[] } {
  const { value, problems } = checkAgainstEcsModel(definition);
  if (typeof value.family !== 'string' || !/^[A-Za-z0-9_-]{1,255}$/.test(value.family)) {
    problems.push(`family must be 1-255 letters, digits, hyphens or underscores${value.family ? `, got '${String(value.family)}'` : ' (it is missing)'}`);
  }
  const containers = Array.isArray(value.containerDefinitions) ? value.containerDefinitions.filter(isObject) : [];
  if (containers.length === 0) problems.push('containerDefinitions must list at least one container');
  const seen = new Set<string>();
  containers.forEach((c, i) => {
    if (typeof c.name !== 'string' || c.name === '') problems.push(`containerDefinitions[${i}] has no name`);
    else if (seen.has(c.name)) problems.push(`container name '${c.name}' is used twice`);
    else seen.add(c.name);
    if (typeof c.image !== 'string' || c.image === '') problems.push(`container '${String(c.name ?? i)}' has no image`);
    problems.push(...containerReferenceProblems(c, String(c.name ?? i)));
  });
  const size = Buffer.byteLength(JSON.stringify(value));
  if (size > MAX_TASK_DEFINITION_BYTES) {
    problems.push(`the task definition is ${(size / 1024).toFixed(1)} KiB, more than the ${MAX_TASK_DEFINITION_BYTES / 1024} KiB RegisterTaskDefinition accepts (move large environment values to environmentFiles or secrets)`);
  }
  if (containers.length > 0 && !containers.some((c) => c.essential !== false)) problems.push('at least one container must be essential');
  const compat = Array.isArray(value.requiresCompatibilities) ? value.requiresCompatibilities : [];
  if (compat.includes('FARGATE')) {
    // https://docs.aws.amazon.com/AmazonECS/latest/developerguide/task-cpu-memory-error.html
    const size = fargateSizeProblem(value.cpu as string | undefined, value.memory as string | undefined);
    if (size) problems.push(size);
    // Fargate fetches secrets and ships awslogs with the task execution role.
    // https://docs.aws.amazon.com/AmazonECS/latest/developerguide/task_execution_IAM_role.html
    const needsRole = containers.filter((c) => (c.logConfiguration as { logDriver?: string } | undefined)?.logDriver === 'awslogs' || (Array.isArray(c.secrets) && c.secrets.length > 0));
    if (needsRole.length && !value.executionRoleArn) {
      problems.push(`FARGATE needs an executionRoleArn for awslogs logging and secrets (used by ${needsRole.map((c) => String(c.name)).join(', ')})`);
    }
    if (value.networkMode !== 'awsvpc') problems.push(`FARGATE requires networkMode 'awsvpc'${value.networkMode ? `, got '${String(value.networkMode)}'` : ''}`);
  }
  return { definition: value, problems };
}

/**
 * "The maximum size (in KiB) of a task definition": 64, not adjustable.
 * https://docs.aws.amazon.com/AmazonECS/latest/developerguide/service-quotas.html
 */
export const MAX_TASK_DEFINITION_BYTES = 64 * 1024;

/** Secret references (secrets, log secretOptions, private registry credentials) and environment files of one container. */
function containerReferenceProblems(c: JsonObject, name: string): string[] {
  const problems: string[] = [];
  const secretLists: [string, unknown][] = [
    ['secrets', c.secrets],
    ['logConfiguration.secretOptions', isObject(c.logConfiguration) ? c.logConfiguration.secretOptions : undefined],
  ];
  for (const [field, list] of secretLists) {
    if (!Array.isArray(list)) continue;
    list.forEach((entry, i) => {
      const valueFrom = isObject(entry) ? entry.valueFrom : undefined;
      const label = isObject(entry) && typeof entry.name === 'string' ? `'${entry.name}'` : `[${i}]`;
      const problem = typeof valueFrom === 'string' ? secretReferenceProblem(valueFrom) : 'has no valueFrom';
      if (problem) problems.push(`container '${name}': ${field} ${label} ${problem}`);
    });
  }
  const credentials = isObject(c.repositoryCredentials) ? c.repositoryCredentials.credentialsParameter : undefined;
  if (typeof credentials === 'string' && !credentials.startsWith('arn:aws')) {
    problems.push(`container '${name}': repositoryCredentials.credentialsParameter must be a Secrets Manager secret ARN (the value is not shown)`);
  }
  if (Array.isArray(c.environmentFiles)) {
    if (c.environmentFiles.length > 10) problems.push(`container '${name}': environmentFiles lists ${c.environmentFiles.length} files; ECS allows at most 10`);
    c.environmentFiles.forEach((file, i) => {
      const problem = environmentFileProblem(file);
      if (problem) problems.push(`container '${name}': environmentFiles[${i}] ${problem}`);
    });
  }
  return problems;
}
