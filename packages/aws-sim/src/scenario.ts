import { readFileSync } from 'node:fs';
import { parse as parseYaml } from 'yaml';
import { parseImageRef } from './images.js';

/**
 * What a container started from an image does. Everything is in simulated seconds, counted from the
 * moment the image has been pulled (startSeconds) or the container has started (exitAfterSeconds).
 */
export interface ImageBehaviour {
  /** Seconds from pull to RUNNING. Default 5. */
  startSeconds?: number;
  /** The essential container exits this long after starting; 0 exits while starting (never RUNNING). */
  exitAfterSeconds?: number;
  /** Exit code of that exit. Default 1. */
  exitCode?: number;
  /** 'fail' makes the container health check fail (task UNHEALTHY, then replaced). */
  healthCheck?: 'pass' | 'fail';
  /** Lines the container writes to its log (awslogs) when it starts. */
  logs?: string[];
}

export const DEFAULT_BEHAVIOUR: Required<Pick<ImageBehaviour, 'startSeconds'>> & ImageBehaviour = { startSeconds: 5 };

/** Scenario file: `{ images: { "repo:tag": { ...behaviour } } }` or `{ images: [{ image, ...behaviour }] }`. */
export interface Scenario {
  images?: Record<string, ImageBehaviour> | (ImageBehaviour & { image: string })[];
}

const KEYS = new Set(['startSeconds', 'exitAfterSeconds', 'exitCode', 'healthCheck', 'logs', 'image', 'imageRef']);

export function validateBehaviour(ref: string, b: ImageBehaviour & Record<string, unknown>): ImageBehaviour {
  for (const key of Object.keys(b)) if (!KEYS.has(key)) throw new Error(`image behaviour for '${ref}': unknown field '${key}' (known: startSeconds, exitAfterSeconds, exitCode, healthCheck, logs)`);
  for (const key of ['startSeconds', 'exitAfterSeconds', 'exitCode'] as const) {
    const v = b[key];
    if (v !== undefined && (typeof v !== 'number' || !Number.isFinite(v) || (key !== 'exitCode' && v < 0))) throw new Error(`image behaviour for '${ref}': ${key} must be a number${key === 'exitCode' ? '' : ' >= 0'}`);
  }
  if (b.healthCheck !== undefined && b.healthCheck !== 'pass' && b.healthCheck !== 'fail') throw new Error(`image behaviour for '${ref}': healthCheck must be 'pass' or 'fail'`);
  if (b.logs !== undefined && (!Array.isArray(b.logs) || b.logs.some((l) => typeof l !== 'string'))) throw new Error(`image behaviour for '${ref}': logs must be a list of strings`);
  const { startSeconds, exitAfterSeconds, exitCode, healthCheck, logs } = b;
  return { startSeconds, exitAfterSeconds, exitCode, healthCheck, logs };
}

/** Keys an image reference is known by: `repo:tag` and/or `repo@sha256:...`, registry host dropped. */
export function behaviourKeys(ref: string): string[] {
  const p = parseImageRef(ref);
  const keys: string[] = [];
  if (p.digest) keys.push(`${p.repository}@${p.digest}`);
  if (p.tag) keys.push(`${p.repository}:${p.tag}`);
  return keys;
}

/** Behaviours by image; the digest a task actually pulled wins over the tag it named. */
export class ImageBehaviours {
  private readonly byKey = new Map<string, ImageBehaviour>();

  set(ref: string, behaviour: ImageBehaviour): void {
    const valid = validateBehaviour(ref, behaviour as ImageBehaviour & Record<string, unknown>);
    const keys = behaviourKeys(ref);
    if (!keys.length) throw new Error(`cannot parse image reference '${ref}'`);
    for (const key of keys.slice(0, 1)) this.byKey.set(key, valid);
  }

  clear(): void {
    this.byKey.clear();
  }

  /** `image` is the container's image as written; `digest` the one the pull resolved, when known. */
  lookup(image: string, repository?: string, digest?: string): ImageBehaviour {
    if (repository && digest) {
      const hit = this.byKey.get(`${repository}@${digest}`);
      if (hit) return { ...DEFAULT_BEHAVIOUR, ...strip(hit) };
    }
    for (const key of behaviourKeys(image)) {
      const hit = this.byKey.get(key);
      if (hit) return { ...DEFAULT_BEHAVIOUR, ...strip(hit) };
    }
    return { ...DEFAULT_BEHAVIOUR };
  }

  list(): Record<string, ImageBehaviour> {
    return Object.fromEntries(this.byKey);
  }

  load(scenario: Scenario): number {
    const images = scenario?.images ?? {};
    let n = 0;
    if (Array.isArray(images)) {
      for (const entry of images) {
        const { image, ...rest } = entry;
        if (typeof image !== 'string') throw new Error('scenario: each entry of images needs an `image` reference');
        this.set(image, rest);
        n++;
      }
    } else {
      for (const [ref, b] of Object.entries(images)) (this.set(ref, b ?? {}), n++);
    }
    return n;
  }
}

function strip(b: ImageBehaviour): ImageBehaviour {
  return Object.fromEntries(Object.entries(b).filter(([, v]) => v !== undefined));
}

/** Reads a scenario from a .json, .yaml or .yml file. */
export function readScenarioFile(path: string): Scenario {
  const text = readFileSync(path, 'utf8');
  const data = /\.json$/i.test(path) ? JSON.parse(text) : parseYaml(text);
  if (!data || typeof data !== 'object') throw new Error(`scenario ${path}: expected an object with an 'images' map`);
  return data as Scenario;
}
