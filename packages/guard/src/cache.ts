import { createHash } from 'node:crypto';
import { mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import { errorText } from './batch.js';
import type { Manifest } from './repositories.js';
import type { Logger } from './types.js';

/**
 * What the guard learned about things that never change once created, kept between runs so each is read
 * from AWS once: the container images of a task definition revision (by ARN), image manifests (by digest:
 * the digest is the hash of the bytes) and the base image labels of image configs (by config digest).
 *
 * A task definition's status does change (ACTIVE → INACTIVE on deregistration, never back), so a cached
 * ACTIVE revision's status is checked again when the rollback window depends on it; INACTIVE is final.
 * A missing or unreadable cache only costs time: everything not in it is read from AWS as without one,
 * and anything neither cached nor readable is a blind spot, as always.
 */
export interface TaskDefinitionEntry {
  status: string;
  images: string[];
}

const FORMAT = 'gantry-guard-cache';
const VERSION = 1;

interface CacheFile {
  format: typeof FORMAT;
  version: typeof VERSION;
  taskDefinitions: Record<string, TaskDefinitionEntry>;
  manifests: Record<string, Manifest>;
  configLabels: Record<string, Record<string, string>>;
}

/** Calls the cache saved this run, by what they would have been. */
export interface CacheSavings {
  'ecs:DescribeTaskDefinition': number;
  'ecr:BatchGetImage': number;
  'ecr:GetDownloadUrlForLayer': number;
  /** Downloads of config blobs from the pre-signed URL (S3). */
  'config-download': number;
}

export interface CacheReport {
  path?: string;
  /** Entries found in the file at the start. */
  loaded: { taskDefinitions: number; manifests: number; configs: number };
  /** Calls not made because the answer was in the cache. */
  saved: CacheSavings;
  savedCalls: number;
  /** Calls made only because of the cache (confirming that cached ACTIVE revisions still are). */
  extraCalls: number;
  /** Entries written back (those this run used or learned). */
  written?: { taskDefinitions: number; manifests: number; configs: number };
}

export class GuardCache {
  private readonly taskDefinitions = new Map<string, TaskDefinitionEntry>();
  private readonly manifests = new Map<string, Manifest>();
  private readonly configLabels = new Map<string, Record<string, string>>();
  private readonly keep = { taskDefinitions: new Set<string>(), manifests: new Set<string>(), configs: new Set<string>() };
  readonly loaded = { taskDefinitions: 0, manifests: 0, configs: 0 };
  readonly saved: CacheSavings = { 'ecs:DescribeTaskDefinition': 0, 'ecr:BatchGetImage': 0, 'ecr:GetDownloadUrlForLayer': 0, 'config-download': 0 };
  extraCalls = 0;

  constructor(readonly path?: string) {}

  /** Task definitions are cached only by full ARN with a revision: `family` alone means "latest", which changes. */
  static cacheableTaskDefinition(ref: string): boolean {
    return /^arn:[^:]+:ecs:[^:]*:\d{12}:task-definition\/[^:]+:\d+$/.test(ref);
  }

  taskDefinition(arn: string): TaskDefinitionEntry | undefined {
    const entry = this.taskDefinitions.get(arn);
    if (entry) {
      this.keep.taskDefinitions.add(arn);
      this.saved['ecs:DescribeTaskDefinition']++;
    }
    return entry;
  }

  putTaskDefinition(arn: string, entry: TaskDefinitionEntry): void {
    if (!GuardCache.cacheableTaskDefinition(arn)) return;
    this.taskDefinitions.set(arn, { status: entry.status, images: [...entry.images] });
    this.keep.taskDefinitions.add(arn);
  }

  manifest(digest: string): Manifest | undefined {
    const m = this.manifests.get(digest);
    if (m) this.keep.manifests.add(digest);
    return m;
  }

  putManifest(digest: string, manifest: Manifest): void {
    if (!manifestMatches(digest, manifest)) return;
    this.manifests.set(digest, manifest);
    this.keep.manifests.add(digest);
  }

  /** BatchGetImage takes 100 ids a call: `cached` of `total` manifests in one repository came from here. */
  countManifestSavings(total: number, cached: number): void {
    this.saved['ecr:BatchGetImage'] += Math.ceil(total / 100) - Math.ceil((total - cached) / 100);
  }

  labels(configDigest: string): Record<string, string> | undefined {
    const l = this.configLabels.get(configDigest);
    if (l) {
      this.keep.configs.add(configDigest);
      this.saved['ecr:GetDownloadUrlForLayer']++;
      this.saved['config-download']++;
    }
    return l;
  }

  /** Keeps only the OCI base image keys: that is all the guard reads from labels. */
  putLabels(configDigest: string, labels: Record<string, unknown>): void {
    const kept = Object.fromEntries(Object.entries(labels).filter(([k, v]) => k.startsWith('org.opencontainers.image.base.') && typeof v === 'string')) as Record<string, string>;
    this.configLabels.set(configDigest, kept);
    this.keep.configs.add(configDigest);
  }

  report(): CacheReport {
    const savedCalls = Object.values(this.saved).reduce((a, b) => a + b, 0);
    return { ...(this.path ? { path: this.path } : {}), loaded: { ...this.loaded }, saved: { ...this.saved }, savedCalls, extraCalls: this.extraCalls };
  }

  /** What to write back: the entries this run used or learned, so the file does not grow forever. */
  toFile(): CacheFile {
    const pick = <T>(map: Map<string, T>, keep: Set<string>) => Object.fromEntries([...map].filter(([k]) => keep.has(k)).sort(([a], [b]) => a.localeCompare(b)));
    return {
      format: FORMAT,
      version: VERSION,
      taskDefinitions: pick(this.taskDefinitions, this.keep.taskDefinitions),
      manifests: pick(this.manifests, this.keep.manifests),
      configLabels: pick(this.configLabels, this.keep.configs),
    };
  }

  /**
   * Fills the cache from a parsed file. Entries that are malformed, or manifests whose bytes do not hash to
   * their digest, are dropped one by one; returns how many were dropped.
   */
  absorb(doc: unknown): number {
    const file = doc as Partial<CacheFile> | null;
    if (!file || typeof file !== 'object' || file.format !== FORMAT) throw new Error(`it is not a guard cache (no "format": "${FORMAT}")`);
    if (file.version !== VERSION) throw new Error(`it has version ${String(file.version)}, this guard reads version ${VERSION}`);
    let dropped = 0;
    for (const [arn, entry] of Object.entries(file.taskDefinitions ?? {})) {
      if (GuardCache.cacheableTaskDefinition(arn) && typeof entry?.status === 'string' && Array.isArray(entry.images) && entry.images.every((i) => typeof i === 'string')) {
        this.taskDefinitions.set(arn, { status: entry.status, images: entry.images });
      } else dropped++;
    }
    for (const [digest, m] of Object.entries(file.manifests ?? {})) {
      if (m && typeof m.manifest === 'string' && manifestMatches(digest, m)) this.manifests.set(digest, { manifest: m.manifest, ...(typeof m.mediaType === 'string' ? { mediaType: m.mediaType } : {}) });
      else dropped++;
    }
    for (const [digest, labels] of Object.entries(file.configLabels ?? {})) {
      if (/^sha256:[0-9a-f]{64}$/.test(digest) && labels && typeof labels === 'object' && Object.values(labels).every((v) => typeof v === 'string')) this.configLabels.set(digest, labels);
      else dropped++;
    }
    this.loaded.taskDefinitions = this.taskDefinitions.size;
    this.loaded.manifests = this.manifests.size;
    this.loaded.configs = this.configLabels.size;
    return dropped;
  }
}

function manifestMatches(digest: string, m: Manifest): boolean {
  return /^sha256:[0-9a-f]{64}$/.test(digest) && `sha256:${createHash('sha256').update(m.manifest, 'utf8').digest('hex')}` === digest;
}

/**
 * Reads the cache file at `path`. Missing: an empty cache (first run). Unreadable, not JSON or not a guard
 * cache: a warning naming the file and why, and an empty cache; the run reads everything from AWS.
 */
export async function loadGuardCache(path: string, log: Logger): Promise<GuardCache> {
  const cache = new GuardCache(path);
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') {
      log.info(`Guard cache ${path} does not exist yet; this run reads everything from AWS and writes it.`);
      return cache;
    }
    log.warning(`Guard cache ${path} could not be read (${errorText(err)}); ignoring it, so this run reads everything from AWS.`);
    return cache;
  }
  try {
    const dropped = cache.absorb(JSON.parse(text));
    if (dropped > 0) log.warning(`Guard cache ${path}: ${dropped} malformed entries ignored (they are read from AWS again).`);
    log.info(`Guard cache ${path}: ${cache.loaded.taskDefinitions} task definitions, ${cache.loaded.manifests} manifests, ${cache.loaded.configs} image configs.`);
    return cache;
  } catch (err) {
    const why = err instanceof SyntaxError ? 'it is not valid JSON' : errorText(err);
    log.warning(`Guard cache ${path} is corrupt (${why}); ignoring it, so this run reads everything from AWS and writes a fresh one.`);
    return new GuardCache(path);
  }
}

/** Writes the cache atomically (a temporary file, then rename), so a cancelled job never leaves half a file. */
export async function saveGuardCache(cache: GuardCache, path: string): Promise<CacheReport['written']> {
  const file = cache.toFile();
  await mkdir(dirname(path), { recursive: true });
  const temp = `${path}.${process.pid}.tmp`;
  await writeFile(temp, `${JSON.stringify(file)}\n`);
  await rename(temp, path);
  return { taskDefinitions: Object.keys(file.taskDefinitions).length, manifests: Object.keys(file.manifests).length, configs: Object.keys(file.configLabels).length };
}
