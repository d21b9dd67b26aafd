import { resolve } from 'node:path';
import { Inputs, type InputSource } from '@gantry/github';
import { BUILD_TARGETS, DEFAULT_PLATFORM, type BuildImagesOptions } from '@gantry/image-build';
import { InputError } from '@gantry/github';

export interface ActionInputs {
  region?: string;
  docker: string;
  logout: boolean;
  options: BuildImagesOptions;
}

/** Every input of the action, checked and typed. The only place that reads inputs. */
export function getInputs(source: InputSource = process.env): ActionInputs {
  const inputs = new Inputs(source);
  const build = inputs.enum('build', { values: BUILD_TARGETS, example: 'base', default: 'base-and-app' })!;
  const baseRepository = inputs.string('base-repository', { example: 'shop/base' });
  // A base-only job may name just the base repository.
  const repository = inputs.string('repository', { required: build !== 'base' || !baseRepository, example: 'shop/web' }) ?? baseRepository!;
  const baseImage = inputs.string('base-image', { example: '${{ needs.base.outputs.base-image }}' });
  const baseDockerfile = inputs.string('base-dockerfile', { example: 'docker/base.Dockerfile' });
  const baseHashFiles = inputs.list('base-hash-files', { example: 'composer.lock', separator: 'newline' });
  if (build !== 'app') {
    if (!baseDockerfile) throw new InputError('base-dockerfile', `is required with build: ${build}`, 'docker/base.Dockerfile');
    if (baseHashFiles.length === 0) throw new InputError('base-hash-files', `is required with build: ${build}`, 'composer.lock');
  }
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
      build,
      repository,
      ...(baseRepository ? { baseRepository } : {}),
      ...(baseImage ? { baseImage } : {}),
      app: {
        context,
        dockerfile: inputs.string('dockerfile', { example: 'docker/app.Dockerfile', default: `${context}/Dockerfile` }),
        ...(target ? { target } : {}),
        buildArgs: inputs.map('build-args', { example: 'APP_ENV=production' }),
        cacheFrom: inputs.list('cache-from', { example: 'type=gha,scope=app', separator: 'newline' }),
        cacheTo: inputs.list('cache-to', { example: 'type=gha,scope=app,mode=max', separator: 'newline' }),
      },
      // With build: app the base comes by digest; base-* inputs given anyway are refused by the library.
      ...(baseDockerfile || baseHashFiles.length > 0
        ? {
            base: {
              context: baseContext,
              dockerfile: baseDockerfile ?? '',
              ...(baseTarget ? { target: baseTarget } : {}),
              buildArgs: inputs.map('base-build-args', { example: 'PHP_VERSION=8.3' }),
              cacheFrom: inputs.list('base-cache-from', { example: 'type=gha,scope=base', separator: 'newline' }),
              cacheTo: inputs.list('base-cache-to', { example: 'type=gha,scope=base,mode=max', separator: 'newline' }),
              hashFiles: baseHashFiles,
              tagPrefix: inputs.string('base-tag-prefix', { example: 'base-', default: 'base-' })!,
            },
          }
        : {}),
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
