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
    expect(options.base?.buildArgs).toEqual({ PHP_VERSION: '8.3', EXT: 'intl', gd: '1' });
    expect(options.extraTags).toEqual(['latest', 'release-1']);
    expect(options.platforms).toEqual(['linux/amd64', 'linux/arm64']);
    expect(options.provenance).toBe(true);
    expect(options.repositorySettings.tagImmutability).toBe('IMMUTABLE');
    expect(options.rootDir).toBe('/ws/services/web');
  });

  it('names the input in its errors', () => {
    expect(() => getInputs(env({ ...required, 'tag-immutability': 'sometimes' }))).toThrow(InputError);
    expect(() => getInputs(env({ ...required, 'registry-id': '12' }))).toThrow(/Input 'registry-id' must be a 12-digit AWS account id/);
    expect(() => getInputs(env({ repository: 'shop/web', 'base-dockerfile': 'x' }))).toThrow(/Input 'base-hash-files' is required/);
  });
});
