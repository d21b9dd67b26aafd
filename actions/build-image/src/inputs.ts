import { resolve } from 'node:path';
import { Inputs, type InputSource } from '@gantry/github';
import { DEFAULT_PLATFORM, type BuildImagesOptions } from '@gantry/image-build';

export interface ActionInputs {
  region?: string;
  docker: string;
  logout: boolean;
  options: BuildImagesOptions;
}

/** Every input of the action, checked and typed. The only place that reads inputs. */
export function getInputs(source: InputSource = process.env): ActionInputs {
  const inputs = new Inputs(source);
  const repository = inputs.string('repository', { required: true, example: 'shop/web' });
  const baseRepository = inputs.string('base-repository', { example: 'shop/base' });
  const context = inputs.string('context', { example: '.', default: '.' });
  const baseContext = inputs.string('base-context', { example: '.', default: context });
  const commitSha = inputs.string('commit-sha', { example: '${{ github.sha }}' }) ?? source.GITHUB_SHA ?? '';
  const server = source.GITHUB_SERVER_URL ?? 'https://github.com';
  const sourceUrl = inputs.string('source-url', { example: 'https://github.com/acme/shop' }) ?? (source.GITHUB_REPOSITORY ? `${server}/${source.GITHUB_REPOSITORY}` : undefined);
  const workspace = source.GITHUB_WORKSPACE ?? process.cwd();
  const region = inputs.string('aws-region', { example: 'eu-west-1' });
  const registryId = inputs.string('registry-id', { example: '123456789012', pattern: /^\d{12}$/, patternHint: 'a 12-digit AWS account id' });
  const target = inputs.string('target', { example: 'production' });
  const baseTarget = inputs.string('base-target', { example: 'base' });
  const network = inputs.string('network', { example: 'host' });
  return {
    ...(region ? { region } : {}),
    docker: inputs.string('docker', { example: '/usr/bin/docker', default: 'docker' }),
    logout: inputs.boolean('logout', { default: true }),
    options: {
      rootDir: resolve(workspace, inputs.string('working-directory', { example: '.', default: '.' })),
      repository,
      ...(baseRepository ? { baseRepository } : {}),
      app: {
        context,
        dockerfile: inputs.string('dockerfile', { example: 'docker/app.Dockerfile', default: `${context}/Dockerfile` }),
        ...(target ? { target } : {}),
        buildArgs: inputs.map('build-args', { example: 'APP_ENV=production' }),
        cacheFrom: inputs.list('cache-from', { example: 'type=gha,scope=app', separator: 'newline' }),
        cacheTo: inputs.list('cache-to', { example: 'type=gha,scope=app,mode=max', separator: 'newline' }),
      },
      base: {
        context: baseContext,
        dockerfile: inputs.string('base-dockerfile', { required: true, example: 'docker/base.Dockerfile' }),
        ...(baseTarget ? { target: baseTarget } : {}),
        buildArgs: inputs.map('base-build-args', { example: 'PHP_VERSION=8.3' }),
        cacheFrom: inputs.list('base-cache-from', { example: 'type=gha,scope=base', separator: 'newline' }),
        cacheTo: inputs.list('base-cache-to', { example: 'type=gha,scope=base,mode=max', separator: 'newline' }),
        hashFiles: inputs.list('base-hash-files', { required: true, example: 'composer.lock', separator: 'newline' }),
        tagPrefix: inputs.string('base-tag-prefix', { example: 'base-', default: 'base-' }),
      },
      baseImageArg: inputs.string('base-image-arg', { example: 'BASE_IMAGE', default: 'BASE_IMAGE', pattern: /^[A-Za-z_][A-Za-z0-9_]*$/, patternHint: 'a build arg name' }),
      platforms: inputs.list('platforms', { example: DEFAULT_PLATFORM, default: [DEFAULT_PLATFORM], separator: 'comma' }),
      commitSha,
      extraTags: inputs.list('tags', { example: 'latest', separator: 'comma' }),
      ...(sourceUrl ? { sourceUrl } : {}),
      provenance: inputs.boolean('provenance', { default: false }),
      createRepositories: inputs.boolean('create-repository', { default: false }),
      repositorySettings: {
        scanOnPush: inputs.boolean('scan-on-push', { default: true }),
        tagImmutability: inputs.enum('tag-immutability', { values: ['MUTABLE', 'IMMUTABLE'] as const, example: 'IMMUTABLE', default: 'MUTABLE' })!,
      },
      ...(registryId ? { registryId } : {}),
      ...(network ? { network } : {}),
    },
  };
}
