import { RegisterTaskDefinitionRequest$ } from '@aws-sdk/client-ecs';
import { NormalizedSchema } from '@smithy/core/schema';
import { isObject, type JsonObject } from './types.js';

/**
 * Checks a task definition against the RegisterTaskDefinition input shape shipped in the ECS SDK itself
 * (its Smithy schema), so "Unexpected key" and type mistakes are caught before any call, with the JSON
 * path and a suggestion. Numbers are accepted where ECS models a string (task `cpu: 256`) and converted,
 * as the CLI does.
 */
export function checkAgainstEcsModel(definition: JsonObject): { value: JsonObject; problems: string[] } {
  const problems: string[] = [];
  const value = walk(definition, NormalizedSchema.of(RegisterTaskDefinitionRequest$), '', problems) as JsonObject;
  return { value, problems };
}

function walk(value: unknown, schema: NormalizedSchema, path: string, problems: string[]): unknown {
  const at = path || 'the task definition';
  if (value === null || value === undefined) return value;
  if (schema.isStructSchema()) {
    if (!isObject(value)) {
      problems.push(`${at} must be an object`);
      return value;
    }
    const members = schema.getMemberSchemas();
    const out: JsonObject = {};
    for (const [key, v] of Object.entries(value)) {
      const member = members[key];
      if (!member) {
        const hint = closest(key, Object.keys(members));
        problems.push(`${path ? `${path}.` : ''}${key} is not a key ECS accepts${hint ? ` (did you mean '${hint}'?)` : ''}`);
        continue;
      }
      out[key] = walk(v, member, path ? `${path}.${key}` : key, problems);
    }
    return out;
  }
  if (schema.isListSchema()) {
    if (!Array.isArray(value)) {
      problems.push(`${at} must be a list`);
      return value;
    }
    return value.map((item, i) => walk(item, schema.getValueSchema(), `${path}[${i}]`, problems));
  }
  if (schema.isMapSchema()) {
    if (!isObject(value)) {
      problems.push(`${at} must be an object of key/value pairs`);
      return value;
    }
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, walk(v, schema.getValueSchema(), `${path}.${k}`, problems)]));
  }
  if (schema.isStringSchema()) {
    if (typeof value === 'number') return String(value);
    if (typeof value !== 'string') problems.push(`${at} must be a string`);
    return value;
  }
  if (schema.isNumericSchema()) {
    if (typeof value === 'string' && /^-?\d+$/.test(value)) return Number(value);
    if (typeof value !== 'number') problems.push(`${at} must be a number`);
    return value;
  }
  if (schema.isBooleanSchema()) {
    if (typeof value !== 'boolean') problems.push(`${at} must be true or false`);
    return value;
  }
  return value;
}

/** The candidate within edit distance 2 (case-insensitive), for "did you mean". */
function closest(key: string, candidates: string[]): string | undefined {
  let best: { name: string; d: number } | undefined;
  for (const name of candidates) {
    const d = distance(key.toLowerCase(), name.toLowerCase());
    if (d <= 2 && (!best || d < best.d)) best = { name, d };
  }
  return best?.name;
}

function distance(a: string, b: string): number {
  const row = Array.from({ length: b.length + 1 }, (_, i) => i);
  for (let i = 1; i <= a.length; i++) {
    let prev = row[0]!;
    row[0] = i;
    for (let j = 1; j <= b.length; j++) {
      const next = Math.min(row[j]! + 1, row[j - 1]! + 1, prev + (a[i - 1] === b[j - 1] ? 0 : 1));
      prev = row[j]!;
      row[j] = next;
    }
  }
  return row[b.length]!;
}
