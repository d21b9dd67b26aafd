import { READ_ONLY_FIELDS } from './read-only.js';
import { isObject, type JsonObject } from './types.js';

/**
 * A canonical form for comparing two task definitions: read-only fields dropped, ECS defaults filled
 * in, empty values removed, name-keyed lists sorted, object keys sorted. Two definitions that ECS would
 * run identically compare equal, so re-running a workflow reuses the revision instead of adding one.
 */
export function normalizeTaskDefinition(definition: JsonObject): JsonObject {
  const d = structuredClone(definition);
  for (const key of [...READ_ONLY_FIELDS, 'tags']) delete d[key];
  const awsvpc = d.networkMode === 'awsvpc';
  if (d.cpu !== undefined) d.cpu = String(d.cpu);
  if (d.memory !== undefined) d.memory = String(d.memory);
  if (Array.isArray(d.requiresCompatibilities)) d.requiresCompatibilities = [...d.requiresCompatibilities].sort();
  if (Array.isArray(d.volumes)) d.volumes = sortByName(d.volumes);
  if (Array.isArray(d.containerDefinitions)) {
    d.containerDefinitions = sortByName(
      d.containerDefinitions.filter(isObject).map((c) => {
        const container: JsonObject = { essential: true, cpu: 0, ...c };
        for (const list of ['environment', 'secrets', 'environmentFiles', 'ulimits', 'systemControls'] as const) {
          if (Array.isArray(container[list])) container[list] = sortByName(container[list] as unknown[]);
        }
        if (Array.isArray(container.portMappings)) {
          container.portMappings = (container.portMappings as JsonObject[]).map((p) => ({
            protocol: 'tcp',
            ...(awsvpc && p.containerPort !== undefined ? { hostPort: p.containerPort } : {}),
            ...p,
          }));
        }
        return container;
      }),
    );
  }
  return canonical(d) as JsonObject;
}

export function sameTaskDefinition(a: JsonObject, b: JsonObject): boolean {
  return JSON.stringify(normalizeTaskDefinition(a)) === JSON.stringify(normalizeTaskDefinition(b));
}

/** JSON paths whose values differ between two normalised definitions, for the log. */
export function differingPaths(a: unknown, b: unknown, path = ''): string[] {
  if (JSON.stringify(a) === JSON.stringify(b)) return [];
  if (Array.isArray(a) && Array.isArray(b)) {
    const named = (x: unknown[]) => x.every((e) => isObject(e) && typeof e.name === 'string');
    if (named(a) && named(b)) {
      const names = [...new Set([...a, ...b].map((e) => (e as JsonObject).name as string))];
      const find = (x: unknown[], n: string) => x.find((e) => (e as JsonObject).name === n);
      return names.flatMap((n) => differingPaths(find(a, n), find(b, n), `${path}[${n}]`));
    }
    return [path || '(root)'];
  }
  if (isObject(a) && isObject(b)) {
    const keys = [...new Set([...Object.keys(a), ...Object.keys(b)])];
    return keys.flatMap((k) => differingPaths(a[k], b[k], path ? `${path}.${k}` : k));
  }
  return [path || '(root)'];
}

function sortByName(list: unknown[]): unknown[] {
  return [...list].sort((x, y) => String((x as JsonObject)?.name ?? '').localeCompare(String((y as JsonObject)?.name ?? '')));
}

/** Sorted keys, no null/undefined, no empty arrays or objects (ECS omits them in describe output). */
function canonical(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(canonical);
  if (isObject(value)) {
    const out: JsonObject = {};
    for (const key of Object.keys(value).sort()) {
      const v = canonical(value[key]);
      if (v === undefined || v === null) continue;
      if (Array.isArray(v) && v.length === 0) continue;
      if (isObject(v) && Object.keys(v).length === 0) continue;
      out[key] = v;
    }
    return out;
  }
  return value;
}
