import { UserError } from '@gantry/github';
import { SECRET_REFERENCE_FIX, secretReferenceProblem } from './references.js';
import { isObject, type JsonObject } from './types.js';

export interface RenderOptions {
  /** Container name → image. Every name must exist in the definition. */
  images?: Record<string, string>;
  /** `KEY` (every container) or `container:KEY` → value; replaces an existing variable of that name. */
  environment?: Record<string, string>;
  /** Same keys as `environment`; values are Secrets Manager ARNs (optionally `:json-key:stage:version`) or SSM parameters. */
  secrets?: Record<string, string>;
  /** Docker labels added to every container (commit, run URL, ...). */
  dockerLabels?: Record<string, string>;
  /** Gives containers without a logConfiguration an awslogs one. */
  logDefaults?: { region: string; group?: string; streamPrefix?: string };
  /** Replaces the family, e.g. to register one file under several names. */
  family?: string;
}

type Container = JsonObject & { name?: string };
type NameValue = { name: string; value?: string; valueFrom?: string };

/**
 * Applies the workflow's changes to a task definition. Pure: returns a new object and a line per change,
 * and throws a UserError listing every unknown container at once.
 */
export function renderTaskDefinition(input: JsonObject, options: RenderOptions): { definition: JsonObject; changes: string[]; loggedByDefault: string[] } {
  const definition = structuredClone(input);
  const changes: string[] = [];
  const loggedByDefault: string[] = [];
  if (options.family) {
    if (definition.family !== options.family) changes.push(`family: ${String(definition.family ?? '(none)')} → ${options.family}`);
    definition.family = options.family;
  }
  const containers = (Array.isArray(definition.containerDefinitions) ? definition.containerDefinitions : []).filter(isObject) as Container[];
  const names = containers.map((c) => String(c.name));
  const byName = (name: string) => containers.find((c) => c.name === name);
  const unknown = new Set<string>();
  const targets = (key: string, what: string): { containers: Container[]; name: string } => {
    const colon = key.indexOf(':');
    if (colon < 0) return { containers, name: key };
    const container = key.slice(0, colon);
    const found = byName(container);
    if (!found) unknown.add(`'${container}' (in ${what})`);
    return { containers: found ? [found] : [], name: key.slice(colon + 1) };
  };

  for (const [name, image] of Object.entries(options.images ?? {})) {
    const container = byName(name);
    if (!container) {
      unknown.add(`'${name}' (in containers)`);
      continue;
    }
    if (container.image !== image) changes.push(`${name}: image ${String(container.image)} → ${image}`);
    container.image = image;
  }
  for (const [key, value] of Object.entries(options.environment ?? {})) {
    const t = targets(key, 'environment');
    for (const c of t.containers) upsert(c, 'environment', { name: t.name, value });
    if (t.containers.length) changes.push(`environment ${t.name} set on ${t.containers.map((c) => c.name).join(', ')}`);
  }
  for (const [key, valueFrom] of Object.entries(options.secrets ?? {})) {
    const problem = secretReferenceProblem(valueFrom);
    if (problem) throw new UserError(`Secret '${key}' ${problem}.`, SECRET_REFERENCE_FIX);
    const t = targets(key, 'secrets');
    for (const c of t.containers) upsert(c, 'secrets', { name: t.name, valueFrom });
    if (t.containers.length) changes.push(`secret ${t.name} from ${valueFrom} on ${t.containers.map((c) => c.name).join(', ')}`);
  }
  if (unknown.size > 0) {
    throw new UserError(
      `The task definition has no container named ${[...unknown].join(', ')}.`,
      `Its containers are: ${names.join(', ') || '(none)'}.`,
    );
  }
  if (options.dockerLabels && Object.keys(options.dockerLabels).length > 0) {
    for (const c of containers) c.dockerLabels = { ...(isObject(c.dockerLabels) ? c.dockerLabels : {}), ...options.dockerLabels };
    changes.push(`docker labels ${Object.keys(options.dockerLabels).join(', ')} on every container`);
  }
  if (options.logDefaults) {
    const group = options.logDefaults.group ?? `/ecs/${String(definition.family)}`;
    for (const c of containers) {
      if (c.logConfiguration) continue;
      c.logConfiguration = {
        logDriver: 'awslogs',
        options: {
          'awslogs-group': group,
          'awslogs-region': options.logDefaults.region,
          'awslogs-stream-prefix': options.logDefaults.streamPrefix ?? 'ecs',
          // The execution role needs logs:CreateLogGroup for this; the group is created once.
          'awslogs-create-group': 'true',
        },
      };
      changes.push(`${c.name}: logs to awslogs group ${group} (log-defaults)`);
      loggedByDefault.push(String(c.name));
    }
  }
  return { definition, changes, loggedByDefault };
}

function upsert(container: Container, field: 'environment' | 'secrets', entry: NameValue): void {
  const list = (Array.isArray(container[field]) ? container[field] : []) as NameValue[];
  // A name lives in either environment or secrets, never both (ECS rejects duplicates across them).
  const other = field === 'environment' ? 'secrets' : 'environment';
  if (Array.isArray(container[other])) container[other] = (container[other] as NameValue[]).filter((e) => e.name !== entry.name);
  container[field] = [...list.filter((e) => e.name !== entry.name), entry];
}
