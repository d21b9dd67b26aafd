import { describe, expect, it } from '@jest/globals';
import { cp, mkdtemp, utimes, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { InputError } from '@gantry/github';
import { baseTagFor, computeBaseHash } from '../src/index.js';

const fixture = join(import.meta.dirname, 'fixtures/app');

async function copyFixture(): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'gantry-hash-'));
  await cp(fixture, dir, { recursive: true });
  return dir;
}

const options = (rootDir: string, over: Partial<Parameters<typeof computeBaseHash>[0]> = {}) => ({
  rootDir,
  globs: ['composer.lock'],
  dockerfile: 'docker/base.Dockerfile',
  buildArgs: { PHP_VERSION: '8.3' },
  platforms: ['linux/amd64'],
  ...over,
});

describe('computeBaseHash', () => {
  it('is the same for the same content in another directory with other modification times', async () => {
    const a = await copyFixture();
    const b = await copyFixture();
    await utimes(join(b, 'composer.lock'), new Date(2001, 1, 1), new Date(2001, 1, 1));
    expect((await computeBaseHash(options(a))).hash).toBe((await computeBaseHash(options(b))).hash);
  });

  it('hashes the base Dockerfile even when no glob names it, and lists the files hashed', async () => {
    const dir = await copyFixture();
    const result = await computeBaseHash(options(dir));
    expect(result.files).toEqual(['composer.lock', 'docker/base.Dockerfile']);
    const before = result.hash;
    await writeFile(join(dir, 'docker/base.Dockerfile'), '# changed\nFROM scratch\n');
    expect((await computeBaseHash(options(dir))).hash).not.toBe(before);
  });

  it('changes when the lockfile changes but not when app source changes', async () => {
    const dir = await copyFixture();
    const first = (await computeBaseHash(options(dir))).hash;
    await writeFile(join(dir, 'src/index.php'), '<?php echo "changed";');
    expect((await computeBaseHash(options(dir))).hash).toBe(first);
    await writeFile(join(dir, 'composer.lock'), '{ "packages": [] }\n');
    expect((await computeBaseHash(options(dir))).hash).not.toBe(first);
  });

  it('changes with build args, platforms and target, and ignores build-arg order', async () => {
    const dir = await copyFixture();
    const base = (await computeBaseHash(options(dir, { buildArgs: { A: '1', B: '2' } }))).hash;
    expect((await computeBaseHash(options(dir, { buildArgs: { B: '2', A: '1' } }))).hash).toBe(base);
    expect((await computeBaseHash(options(dir, { buildArgs: { A: '1', B: '3' } }))).hash).not.toBe(base);
    expect((await computeBaseHash(options(dir, { buildArgs: { A: '1', B: '2' }, platforms: ['linux/arm64'] }))).hash).not.toBe(base);
    expect((await computeBaseHash(options(dir, { buildArgs: { A: '1', B: '2' }, target: 'prod' }))).hash).not.toBe(base);
  });

  it('rejects a glob that matches nothing, naming the pattern and the input', async () => {
    const dir = await copyFixture();
    const attempt = computeBaseHash(options(dir, { globs: ['composer.lock', 'package-lock.json'] }));
    await expect(attempt).rejects.toBeInstanceOf(InputError);
    await expect(computeBaseHash(options(dir, { globs: ['package-lock.json'] }))).rejects.toThrow(
      /Input 'base-hash-files' has a pattern 'package-lock.json' that matches no file/,
    );
  });

  it('expands globs and honours exclusions', async () => {
    const dir = await copyFixture();
    await writeFile(join(dir, 'docker/php.ini'), 'memory_limit=1G\n');
    await writeFile(join(dir, 'docker/notes.md'), 'not part of the base\n');
    const result = await computeBaseHash(options(dir, { globs: ['docker/**', '!docker/*.md'] }));
    expect(result.files).toEqual(['docker/base.Dockerfile', 'docker/php.ini', 'docker/app.Dockerfile'].sort());
  });
});

describe('baseTagFor', () => {
  it('makes a valid image tag from the hash', () => {
    const tag = baseTagFor('ab'.repeat(32));
    expect(tag).toBe(`base-${'ab'.repeat(12)}`);
    expect(tag).toMatch(/^[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}$/);
  });
});
