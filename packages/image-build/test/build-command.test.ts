import { describe, expect, it } from '@jest/globals';
import { buildxArgs, digestFromMetadata, dockerBuildArgs, parsePushOutput, registryCacheRef, type BuildSpec } from '../src/index.js';

const spec: BuildSpec = {
  name: 'app',
  context: '/w',
  dockerfile: '/w/docker/app.Dockerfile',
  platforms: ['linux/amd64'],
  buildArgs: { BASE_IMAGE: 'r/base@sha256:1' },
  labels: { 'org.opencontainers.image.revision': 'abc' },
  annotations: { 'org.opencontainers.image.base.digest': 'sha256:1' },
  tags: ['r/app:abc', 'r/app:latest'],
  cacheFrom: ['type=registry,ref=r/app:cache', 'type=gha,scope=app'],
  cacheTo: ['type=gha,scope=app,mode=max'],
  provenance: false,
  network: 'host',
};

const pairs = (args: string[], flag: string) => args.flatMap((a, i) => (a === flag ? [args[i + 1]] : []));

describe('buildxArgs', () => {
  it('builds, pushes and writes metadata in one step, with a single manifest by default', () => {
    const args = buildxArgs(spec, '/tmp/meta.json');
    expect(args.slice(0, 2)).toEqual(['buildx', 'build']);
    expect(args).toContain('--push');
    expect(args).toContain('--provenance=false');
    expect(args).toContain('--sbom=false');
    expect(pairs(args, '--metadata-file')).toEqual(['/tmp/meta.json']);
    expect(pairs(args, '--platform')).toEqual(['linux/amd64']);
    expect(pairs(args, '--tag')).toEqual(['r/app:abc', 'r/app:latest']);
    expect(pairs(args, '--annotation')).toEqual(['manifest:org.opencontainers.image.base.digest=sha256:1']);
    expect(pairs(args, '--cache-from')).toEqual(['type=registry,ref=r/app:cache', 'type=gha,scope=app']);
    expect(pairs(args, '--cache-to')).toEqual(['type=gha,scope=app,mode=max']);
    expect(args.at(-1)).toBe('/w');
  });

  it('annotates the index too when the push is an index (several platforms or provenance)', () => {
    const args = buildxArgs({ ...spec, platforms: ['linux/amd64', 'linux/arm64'] }, 'm');
    expect(pairs(args, '--platform')).toEqual(['linux/amd64,linux/arm64']);
    expect(pairs(args, '--annotation')).toEqual([
      'manifest:org.opencontainers.image.base.digest=sha256:1',
      'index:org.opencontainers.image.base.digest=sha256:1',
    ]);
    const withProvenance = buildxArgs({ ...spec, provenance: true }, 'm');
    expect(withProvenance).toContain('--provenance=mode=max');
    expect(withProvenance).not.toContain('--sbom=false');
  });
});

describe('dockerBuildArgs', () => {
  it('keeps what plain docker build supports and reports what it drops', () => {
    const { args, dropped } = dockerBuildArgs(spec, '/tmp/iid');
    expect(args[0]).toBe('build');
    expect(args).not.toContain('--push');
    expect(args).not.toContain('--annotation');
    expect(pairs(args, '--iidfile')).toEqual(['/tmp/iid']);
    expect(pairs(args, '--cache-from')).toEqual(['r/app:cache']);
    expect(pairs(args, '--network')).toEqual(['host']);
    expect(pairs(args, '--label')).toEqual(['org.opencontainers.image.revision=abc']);
    expect(dropped).toEqual(['cache-from type=gha,scope=app', 'cache-to type=gha,scope=app,mode=max', 'annotations (recorded as labels instead)']);
  });
});

describe('registryCacheRef', () => {
  it('reads the ref of a registry cache and passes bare references through', () => {
    expect(registryCacheRef('type=registry,ref=r/x:cache,mode=max')).toBe('r/x:cache');
    expect(registryCacheRef('r/x:cache')).toBe('r/x:cache');
    expect(registryCacheRef('type=gha')).toBeUndefined();
  });
});

describe('parsePushOutput', () => {
  it('reads the digest and counts pushed and reused layers from real docker push output', () => {
    const output = [
      'The push refers to repository [127.0.0.1:5000/probe]',
      '93b07d5d8b95: Preparing',
      '0ec4d3510b72: Preparing',
      '1f2e3d4c5b6a: Preparing',
      '93b07d5d8b95: Pushed',
      '0ec4d3510b72: Layer already exists',
      '1f2e3d4c5b6a: Mounted from gantry/base',
      `one: digest: sha256:${'5f'.repeat(32)} size: 734`,
    ].join('\n');
    expect(parsePushOutput(output)).toEqual({ digest: `sha256:${'5f'.repeat(32)}`, pushedLayers: 1, existingLayers: 2 });
  });

  it('reports no digest when the push printed none', () => {
    expect(parsePushOutput('denied: requested access to the resource is denied').digest).toBeUndefined();
  });
});

describe('digestFromMetadata', () => {
  it('reads containerimage.digest from the buildx metadata file', () => {
    const digest = `sha256:${'ab'.repeat(32)}`;
    expect(digestFromMetadata(JSON.stringify({ 'containerimage.digest': digest, 'image.name': 'r/app:abc' }))).toBe(digest);
    expect(digestFromMetadata('{}')).toBeUndefined();
  });
});
