import { readFile } from 'node:fs/promises';
import { DescribeServicesCommand, DescribeTaskDefinitionCommand, type ECSClient } from '@aws-sdk/client-ecs';
import { UserError } from '@gantry/github';
import type { Logger } from '../runtime.js';
import { isObject, type JsonObject } from './types.js';

/** Where the task definition to render comes from: exactly one of these. */
export type TaskDefinitionSource =
  | { kind: 'file'; path: string }
  | { kind: 'service'; cluster: string; service: string }
  | { kind: 'arn'; taskDefinition: string };

export async function loadTaskDefinition(source: TaskDefinitionSource, ecs: ECSClient, logger: Logger): Promise<JsonObject> {
  switch (source.kind) {
    case 'file':
      return loadFile(source.path, logger);
    case 'arn':
      return describe(ecs, source.taskDefinition, `task definition '${source.taskDefinition}'`);
    case 'service': {
      const arn = await serviceTaskDefinition(ecs, source.cluster, source.service, { service: 'from-service', cluster: 'cluster' });
      logger.info(`Starting from ${arn}, the task definition service '${source.service}' runs now.`);
      return describe(ecs, arn, `task definition ${arn}`);
    }
  }
}

async function loadFile(path: string, logger: Logger): Promise<JsonObject> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (err) {
    throw new UserError(`Cannot read the task definition file '${path}' (${(err as NodeJS.ErrnoException).code ?? (err as Error).message}).`, 'Check the path; it is relative to the repository root.');
  }
  const parsed = parseJsonWithLines(text, path);
  if (!isObject(parsed)) throw new UserError(`The task definition file '${path}' must hold a JSON object, not ${Array.isArray(parsed) ? 'an array' : typeof parsed}.`);
  // `aws ecs describe-task-definition` output wraps the definition; accept it as is.
  if (isObject(parsed.taskDefinition) && parsed.containerDefinitions === undefined) {
    logger.info(`'${path}' is describe-task-definition output; using its 'taskDefinition' object.`);
    return parsed.taskDefinition;
  }
  return parsed;
}

/** JSON.parse with errors that name the file, line and column, and show the offending line. */
export function parseJsonWithLines(text: string, label: string): unknown {
  try {
    return JSON.parse(text);
  } catch (err) {
    const message = (err as Error).message;
    const { line, column } = errorPosition(text, message);
    const where = line ? `line ${line}, column ${column}` : 'an unknown position';
    const source = line ? `\n  ${line} | ${text.split('\n')[line - 1] ?? ''}` : '';
    throw new UserError(`'${label}' is not valid JSON at ${where}: ${message.replace(/ in JSON at position \d+.*$/, '').replace(/, (\.\.\.)?".*" is not valid JSON$/s, '')}.${source}`, 'Fix the JSON (trailing commas and comments are not allowed).');
  }
}

function errorPosition(text: string, message: string): { line?: number; column?: number } {
  const lc = /line (\d+) column (\d+)/.exec(message);
  if (lc) return { line: Number(lc[1]), column: Number(lc[2]) };
  const pos = /position (\d+)/.exec(message);
  // Node 20 reports "Unexpected end of JSON input" without a position: that is the end of the file.
  const offset = pos ? Number(pos[1]) : /end of JSON input/.test(message) ? text.length : undefined;
  if (offset === undefined) return {};
  const before = text.slice(0, offset).split('\n');
  return { line: before.length, column: before[before.length - 1]!.length + 1 };
}

export async function serviceTaskDefinition(ecs: ECSClient, cluster: string, service: string, inputNames?: ServiceInputNames): Promise<string> {
  const svc = await describeServiceOrFail(ecs, cluster, service, inputNames);
  if (!svc.taskDefinition) throw new UserError(`Service '${service}' in cluster '${cluster}' has no task definition.`);
  return svc.taskDefinition;
}

/** The inputs (or flags) the user gave the service and cluster in, so errors name what they set. */
export interface ServiceInputNames {
  service: string;
  cluster: string;
}

/** DescribeServices for one service, turning "not found" into an error that says what to fix. */
export async function describeServiceOrFail(ecs: ECSClient, cluster: string, service: string, inputNames: ServiceInputNames = { service: 'service', cluster: 'cluster' }) {
  let out;
  try {
    out = await ecs.send(new DescribeServicesCommand({ cluster, services: [service] }));
  } catch (err) {
    if ((err as Error).name === 'ClusterNotFoundException') {
      throw new UserError(`Cluster '${cluster}' was not found.`, `Check the '${inputNames.cluster}' input and the region.`);
    }
    throw err;
  }
  const svc = out.services?.[0];
  if (!svc || svc.status === 'INACTIVE') {
    const reason = out.failures?.[0]?.reason ?? (svc ? 'INACTIVE' : 'MISSING');
    throw new UserError(`Service '${service}' was not found in cluster '${cluster}' (${reason}).`, `Check the '${inputNames.service}' and '${inputNames.cluster}' inputs and the region.`);
  }
  return svc;
}

async function describe(ecs: ECSClient, taskDefinition: string, label: string): Promise<JsonObject> {
  try {
    const out = await ecs.send(new DescribeTaskDefinitionCommand({ taskDefinition }));
    if (!out.taskDefinition) throw new UserError(`ECS returned no ${label}.`);
    return out.taskDefinition as unknown as JsonObject;
  } catch (err) {
    if ((err as Error).name === 'ClientException') {
      throw new UserError(`The ${label} does not exist or cannot be described: ${(err as Error).message}`, 'Give a family, family:revision or full ARN that exists in this region.');
    }
    throw err;
  }
}
