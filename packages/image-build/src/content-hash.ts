import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { relative, resolve } from 'node:path';
import { glob } from 'tinyglobby';
import { InputError } from '@gantry/github';

export interface BaseHashInput {
  /** Directory the globs and paths are relative to (the checked-out repository). */
  rootDir: string;
  /** Globs of the files that define the base (lockfiles, base Dockerfile, config). `!pattern` excludes. */
  globs: readonly string[];
  /** The base Dockerfile; always hashed, whether or not a glob names it. */
  dockerfile: string;
  buildArgs: Record<string, string>;
  platforms: readonly string[];
  /** The multi-stage target, when one is built. */
  target?: string;
  /** The input name the globs came from, for error messages. */
  input?: string;
}

export interface BaseHash {
  /** Hex sha256 over everything below. */
  hash: string;
  /** The files hashed, relative to rootDir, sorted. */
  files: string[];
}

/**
 * A content hash over everything that decides what the base image contains: each file's path and bytes,
 * the build args, the platforms and the target. Paths are relative and sorted, so the hash is the same
 * on every runner and checkout location; file modification times play no part.
 */
export async function computeBaseHash(options: BaseHashInput): Promise<BaseHash> {
  const input = options.input ?? 'base-hash-files';
  const includes = options.globs.filter((g) => !g.startsWith('!'));
  const ignore = options.globs.filter((g) => g.startsWith('!')).map((g) => g.slice(1));
  const files = new Set<string>();
  for (const pattern of includes) {
    // Each pattern on its own, so a typo in one is reported rather than hidden by the others' matches.
    const matched = await glob(pattern, { cwd: options.rootDir, ignore, dot: true, onlyFiles: true, expandDirectories: false });
    if (matched.length === 0) {
      throw new InputError(input, `has a pattern '${pattern}' that matches no file under ${options.rootDir}`, 'composer.lock');
    }
    for (const file of matched) files.add(toPosix(file));
  }
  const dockerfile = toPosix(relative(options.rootDir, resolve(options.rootDir, options.dockerfile)));
  files.add(dockerfile);

  const sorted = [...files].sort();
  const hash = createHash('sha256');
  hash.update('gantry-base-v1\0');
  for (const file of sorted) {
    const bytes = await readFile(resolve(options.rootDir, file));
    hash.update(`file\0${file}\0${createHash('sha256').update(bytes).digest('hex')}\0`);
  }
  for (const key of Object.keys(options.buildArgs).sort()) hash.update(`arg\0${key}\0${options.buildArgs[key]}\0`);
  hash.update(`platforms\0${[...options.platforms].sort().join(',')}\0`);
  hash.update(`target\0${options.target ?? ''}\0`);
  return { hash: hash.digest('hex'), files: sorted };
}

/** `base-` plus the first 24 hex digits (96 bits): short enough to read, far from colliding. */
export function baseTagFor(hash: string, prefix = 'base-'): string {
  return `${prefix}${hash.slice(0, 24)}`;
}

function toPosix(path: string): string {
  return path.split('\\').join('/');
}
