import { describe, expect, it } from '@jest/globals';
import { InputError } from '@gantry/github';
import { getInputs } from '../src/inputs.js';

const env = (inputs: Record<string, string>, extra: Record<string, string> = {}) => ({
  ...Object.fromEntries(Object.entries(inputs).map(([k, v]) => [`INPUT_${k.toUpperCase()}`, v])),
  GITHUB_WORKSPACE: '/ws',
  GITHUB_SHA: 'a1b2c3d4e5f60718293a4b5c6d7e8f9012345678',
  GITHUB_REPOSITORY: 'acme/shop',
  ...extra,
});

const required = { repository: 'shop/web', 'base-dockerfile': 'docker/base.Dockerfile', 'base-hash-files': 'composer.lock' };

describe('getInputs', () => {
  it('fills defaults from the runner environment', () => {
    const { options, docker, logout } = getInputs(env(required));
    expect(docker).toBe('docker');
    expect(logout).toBe(true);
    expect(options).toMatchObject({
      rootDir: '/ws',
      repository: 'shop/web',
      commitSha: 'a1b2c3d4e5f60718293a4b5c6d7e8f9012345678',
      sourceUrl: 'https://github.com/acme/shop',
      platforms: ['linux/amd64'],
      provenance: false,
      createRepositories: false,
      repositorySettings: { scanOnPush: true, tagImmutability: 'MUTABLE' },
      baseImageArg: 'BASE_IMAGE',
      app: { context: '.', dockerfile: './Dockerfile', buildArgs: {}, cacheFrom: [], cacheTo: [] },
      base: { context: '.', dockerfile: 'docker/base.Dockerfile', hashFiles: ['composer.lock'], tagPrefix: 'base-' },
    });
    expect(options.baseRepository).toBeUndefined();
  });

  it('parses lists, maps and booleans', () => {
    const { options } = getInputs(
      env({
        ...required,
        'base-hash-files': 'composer.lock\npackage-lock.json\n!docker/*.md',
        'base-build-args': 'PHP_VERSION=8.3\nEXT=intl,gd=1',
        tags: 'latest, release-1',
        platforms: 'linux/amd64,linux/arm64',
        provenance: 'true',
        'create-repository': 'true',
        'tag-immutability': 'IMMUTABLE',
        'working-directory': 'services/web',
      }),
    );
    expect(options.base?.hashFiles).toEqual(['composer.lock', 'package-lock.json', '!docker/*.md']);
    expect(options.base?.buildArgs).toEqual({ PHP_VERSION: '8.3', EXT: 'intl,gd=1' }); // one pair a line: commas belong to the value
    expect(options.extraTags).toEqual(['latest', 'release-1']);
    expect(options.platforms).toEqual(['linux/amd64', 'linux/arm64']);
    expect(options.provenance).toBe(true);
    expect(options.repositorySettings.tagImmutability).toBe('IMMUTABLE');
    expect(options.rootDir).toBe('/ws/services/web');
  });

  it.each([
    ['cache-from', 'type=gha,scope=app', ['type=gha,scope=app']],
    ['cache-to', 'type=gha,scope=app,mode=max\r\ntype=registry,ref=r/c,mode=max', ['type=gha,scope=app,mode=max', 'type=registry,ref=r/c,mode=max']],
    ['base-cache-from', 'type=gha,scope=base', ['type=gha,scope=base']],
    ['base-cache-to', 'type=gha,scope=base,mode=max\n\n', ['type=gha,scope=base,mode=max']],
  ])('keeps the commas of a %s line (one cache option a line)', (input, value, expected) => {
    const { options } = getInputs(env({ ...required, [input]: value }));
    const [part, field] = input.startsWith('base-') ? (['base', input.slice(5)] as const) : (['app', input] as const);
    expect(options[part]?.[field === 'cache-from' ? 'cacheFrom' : 'cacheTo']).toEqual(expected);
  });

  it('splits base-hash-files on lines only, so a brace glob keeps its commas', () => {
    expect(getInputs(env({ ...required, 'base-hash-files': 'composer.{json,lock}\r\npackage.json' })).options.base?.hashFiles).toEqual(['composer.{json,lock}', 'package.json']);
  });

  it('names the input in its errors', () => {
    expect(() => getInputs(env({ ...required, 'tag-immutability': 'sometimes' }))).toThrow(InputError);
    expect(() => getInputs(env({ ...required, 'registry-id': '12' }))).toThrow(/Input 'registry-id' must be a 12-digit AWS account id/);
    expect(() => getInputs(env({ repository: 'shop/web', 'base-dockerfile': 'x' }))).toThrow(/Input 'base-hash-files' is required/);
  });
});
