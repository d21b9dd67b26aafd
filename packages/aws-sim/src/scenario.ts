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

/** Scenario file: `{ images: { "repo:tag": { ...behaviour } } }` or `{ images: [{ image, ...behaviour }] }`. */
export interface Scenario {
  images?: Record<string, ImageBehaviour> | (ImageBehaviour & { image: string })[];
}

const FIELDS = ['startSeconds', 'exitAfterSeconds', 'exitCode', 'healthCheck', 'logs'] as const;
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
  const { startSeconds, exitAfterSeconds, exitCode, healthCheck, logs } = b as CommandBehaviour;
  return { startSeconds, exitAfterSeconds, exitCode, healthCheck, logs };
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
  lookup(image: string, repository?: string, digest?: string, command?: readonly string[]): ImageBehaviour {
    const hit = (repository && digest ? this.byKey.get(`${repository}@${digest}`) : undefined) ?? behaviourKeys(image).map((k) => this.byKey.get(k)).find(Boolean);
    if (!hit) return { ...DEFAULT_BEHAVIOUR };
    const { commands, ...own } = hit;
    const key = command?.length ? commandKey(command) : undefined;
    const match = key && commands ? Object.entries(commands).find(([c]) => commandKey(c) === key)?.[1] : undefined;
    return { ...DEFAULT_BEHAVIOUR, ...strip(own), ...(match ? strip(match) : {}) };
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

/** Reads a scenario from a .json, .yaml or .yml file. */
export function readScenarioFile(path: string): Scenario {
  const text = readFileSync(path, 'utf8');
  const data = /\.json$/i.test(path) ? JSON.parse(text) : parseYaml(text);
  if (!data || typeof data !== 'object') throw new Error(`scenario ${path}: expected an object with an 'images' map`);
  return data as Scenario;
}
