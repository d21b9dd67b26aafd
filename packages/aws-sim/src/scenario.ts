import { readFileSync } from 'node:fs';
import { parse as parseYaml } from 'yaml';
import { parseImageRef } from './images.js';
import { validateTiming, type SimTiming } from './timing.js';
import { RESOURCE_SECTIONS, validateResources, type ScenarioResources } from './scenario-resources.js';

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
  /**
   * What the container answers load balancer health checks (a service's `loadBalancers` target): an HTTP
   * status code (default 200), `'timeout'` (never answers) or `'refused'` (nothing listens). E.g. an
   * unhealthy release `{ loadBalancerResponse: 502 }`: its targets turn unhealthy with
   * Target.ResponseCodeMismatch "Health checks failed with these codes: [502]" and ECS replaces the tasks.
   */
  loadBalancerResponse?: number | 'timeout' | 'refused';
  /** Lines the container writes to its log (awslogs) when it starts. */
  logs?: string[];
  /**
   * What the container does when it runs a particular command (the RunTask command override, else the
   * container definition's `command`, joined with spaces): a matching entry's fields replace the image's.
   * One image, many processes: `php artisan migrate --force` exits 0 where the web server keeps running.
   */
  commands?: Record<string, CommandBehaviour>;
}

/** A behaviour for one command of an image: the image behaviour's fields, without nested `commands`. */
export type CommandBehaviour = Omit<ImageBehaviour, 'commands'>;

export const DEFAULT_BEHAVIOUR: Required<Pick<ImageBehaviour, 'startSeconds'>> & ImageBehaviour = { startSeconds: 5 };

/**
 * Scenario file: `{ images: { "repo:tag": { ...behaviour } } }` or `{ images: [{ image, ...behaviour }] }`,
 * optionally `timing: { restartBackoffStartSeconds: 5, ... }` (src/timing.ts), and the AWS resources to
 * create: `region`, `loadBalancers`, `alarms`, `hookOutcomes` (src/scenario-resources.ts).
 */
export interface Scenario extends ScenarioResources {
  images?: Record<string, ImageBehaviour> | (ImageBehaviour & { image: string })[];
  timing?: Partial<SimTiming>;
}

const SECTIONS = ['images', 'timing', ...RESOURCE_SECTIONS];

/** A scenario's top level: `images`, `timing` and the resource sections, nothing else; errors name the field. */
export function validateScenario(data: unknown, where: string): Scenario {
  if (!data || typeof data !== 'object' || Array.isArray(data)) throw new Error(`${where}: expected an object with any of ${SECTIONS.join(', ')}`);
  for (const key of Object.keys(data)) if (!SECTIONS.includes(key)) throw new Error(`${where}: unknown field '${key}' (known: ${SECTIONS.join(', ')})`);
  const { images, timing } = data as Scenario;
  if (images !== undefined && images !== null && typeof images !== 'object') throw new Error(`${where}: images must be a map from an image reference to its behaviour`);
  const resources = validateResources(data as Record<string, unknown>, where);
  const out: Scenario = { images: images ?? undefined, timing: timing === undefined ? undefined : validateTiming(timing, `${where}: timing`) };
  for (const [key, value] of Object.entries(resources)) if (value !== undefined) (out as Record<string, unknown>)[key] = value;
  return out;
}

const FIELDS = ['startSeconds', 'exitAfterSeconds', 'exitCode', 'healthCheck', 'logs', 'loadBalancerResponse'] as const;
const KEYS = new Set<string>([...FIELDS, 'commands', 'image', 'imageRef']);
const COMMAND_KEYS = new Set<string>(FIELDS);

/** A command as the behaviour table keys it: its words joined by single spaces. */
export function commandKey(command: string | readonly string[]): string {
  const text = typeof command === 'string' ? command : command.join(' ');
  return text.trim().split(/\s+/).filter(Boolean).join(' ');
}

function validateFields(where: string, b: Record<string, unknown>, known: Set<string>): CommandBehaviour {
  for (const key of Object.keys(b)) if (!known.has(key)) throw new Error(`${where}: unknown field '${key}' (known: ${[...known].filter((k) => k !== 'image' && k !== 'imageRef').join(', ')})`);
  for (const key of ['startSeconds', 'exitAfterSeconds', 'exitCode'] as const) {
    const v = b[key];
    if (v !== undefined && (typeof v !== 'number' || !Number.isFinite(v) || (key !== 'exitCode' && v < 0))) throw new Error(`${where}: ${key} must be a number${key === 'exitCode' ? '' : ' >= 0'}`);
  }
  if (b.healthCheck !== undefined && b.healthCheck !== 'pass' && b.healthCheck !== 'fail') throw new Error(`${where}: healthCheck must be 'pass' or 'fail'`);
  if (b.logs !== undefined && (!Array.isArray(b.logs) || b.logs.some((l) => typeof l !== 'string'))) throw new Error(`${where}: logs must be a list of strings`);
  const lb = b.loadBalancerResponse;
  if (lb !== undefined && lb !== 'timeout' && lb !== 'refused' && !(Number.isInteger(lb) && (lb as number) >= 100 && (lb as number) <= 599)) {
    throw new Error(`${where}: loadBalancerResponse must be an HTTP status code (100-599), 'timeout' or 'refused', got ${JSON.stringify(lb)}`);
  }
  const { startSeconds, exitAfterSeconds, exitCode, healthCheck, logs, loadBalancerResponse } = b as CommandBehaviour;
  return { startSeconds, exitAfterSeconds, exitCode, healthCheck, logs, loadBalancerResponse };
}

export function validateBehaviour(ref: string, b: ImageBehaviour & Record<string, unknown>): ImageBehaviour {
  const where = `image behaviour for '${ref}'`;
  if (!b || typeof b !== 'object' || Array.isArray(b)) throw new Error(`${where}: expected an object of fields (startSeconds, exitAfterSeconds, ...)`);
  const valid: ImageBehaviour = validateFields(where, b, KEYS);
  if (b.commands === undefined) return valid;
  if (!b.commands || typeof b.commands !== 'object' || Array.isArray(b.commands)) {
    throw new Error(`${where}: commands must be a map from a command line to its behaviour, e.g. { "php artisan migrate --force": { exitAfterSeconds: 2, exitCode: 0 } }`);
  }
  const commands: Record<string, CommandBehaviour> = {};
  const seen = new Map<string, string>();
  for (const [command, cb] of Object.entries(b.commands)) {
    const key = commandKey(command);
    const at = `${where}, command '${command}'`;
    if (!key) throw new Error(`${where}: a command in commands is empty`);
    if (seen.has(key)) throw new Error(`${at}: the same command as '${seen.get(key)}'`);
    seen.set(key, command);
    if (!cb || typeof cb !== 'object' || Array.isArray(cb)) throw new Error(`${at}: expected an object of fields (exitAfterSeconds, exitCode, logs, ...)`);
    commands[command] = validateFields(at, cb as Record<string, unknown>, COMMAND_KEYS);
  }
  return { ...valid, commands };
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

  /**
   * `image` is the container's image as written; `digest` the one the pull resolved, when known; `command`
   * the command the container runs (override or container definition), when it has one.
   */
  lookup(image: string, repository?: string, digest?: string, command?: readonly string[], tagDigest?: (repository: string, tag: string) => string | undefined): ImageBehaviour {
    const hit =
      (repository && digest ? this.byKey.get(`${repository}@${digest}`) : undefined) ??
      behaviourKeys(image).map((k) => this.byKey.get(k)).find(Boolean) ??
      (repository && digest && tagDigest ? this.byTagOfDigest(repository, digest, tagDigest) : undefined);
    if (!hit) return { ...DEFAULT_BEHAVIOUR };
    const { commands, ...own } = hit;
    const key = command?.length ? commandKey(command) : undefined;
    const match = key && commands ? Object.entries(commands).find(([c]) => commandKey(c) === key)?.[1] : undefined;
    return { ...DEFAULT_BEHAVIOUR, ...strip(own), ...(match ? strip(match) : {}) };
  }

  /**
   * A behaviour set on a tag follows the image: it applies to a container naming the same image by digest
   * (`repo@sha256:…` or a full URI) when the tag currently points at that digest in the registry (ECR).
   */
  private byTagOfDigest(repository: string, digest: string, tagDigest: (repository: string, tag: string) => string | undefined): ImageBehaviour | undefined {
    for (const [key, behaviour] of this.byKey) {
      const p = parseImageRef(key);
      if (p.digest || p.repository !== repository || !p.tag) continue;
      if (tagDigest(repository, p.tag) === digest) return behaviour;
    }
    return undefined;
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

function strip(b: CommandBehaviour): CommandBehaviour {
  return Object.fromEntries(Object.entries(b).filter(([, v]) => v !== undefined));
}

/**
 * Reads a scenario from a .json, .yaml or .yml file. Errors are one line naming the file and what is
 * wrong (never its contents): missing, unreadable, not JSON/YAML, or a wrong field.
 */
export function readScenarioFile(path: string): Scenario {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    throw new Error(code === 'ENOENT' ? `scenario file ${path} does not exist` : `scenario file ${path} cannot be read (${code ?? 'error'})`);
  }
  let data: unknown;
  const json = /\.json$/i.test(path);
  try {
    data = json ? JSON.parse(text) : parseYaml(text);
  } catch (err) {
    const line = (err as { linePos?: { line: number }[] }).linePos?.[0]?.line;
    throw new Error(`scenario file ${path} is not valid ${json ? 'JSON' : 'YAML'}${line ? ` (line ${line})` : ''}`);
  }
  const scenario = validateScenario(data, `scenario ${path}`);
  // Behaviours are checked here too, so a bad file fails before anything is loaded.
  try {
    new ImageBehaviours().load(scenario);
  } catch (err) {
    throw new Error(`scenario ${path}: ${(err as Error).message}`);
  }
  return scenario;
}
