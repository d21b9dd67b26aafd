import type { RegisterTaskDefinitionCommandInput } from '@aws-sdk/client-ecs';

/** A task definition as RegisterTaskDefinition accepts it (JSON keys exactly as ECS names them). */
export type TaskDefinitionInput = RegisterTaskDefinitionCommandInput;
export type ContainerDefinitionInput = NonNullable<TaskDefinitionInput['containerDefinitions']>[number];

export type JsonObject = Record<string, unknown>;

export function isObject(value: unknown): value is JsonObject {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
