import { beforeEach, describe, expect, it } from '@jest/globals';
import { DescribeImagesCommand, ECRClient } from '@aws-sdk/client-ecr';
import { mockClient } from 'aws-sdk-client-mock';
import { ensureBaseImage, type BaseImageRequest } from '../src/index.js';
import { digestOf, fakeDocker, memoryLogger, pushOutput, startsWith } from './helpers/fake-docker.js';

const ecrMock = mockClient(ECRClient);
const notFound = () => Object.assign(new Error('not found'), { name: 'ImageNotFoundException' });
const clock = { now: () => new Date(0) };

const request: BaseImageRequest = {
  repositoryName: 'shop/base',
  repositoryUri: 'reg.example/shop/base',
  tag: 'base-0123456789abcdef01234567',
  spec: { name: 'base', context: '/w', dockerfile: '/w/base.Dockerfile', platforms: ['linux/amd64'], buildArgs: {}, labels: {}, annotations: {}, cacheFrom: [], cacheTo: [], provenance: false },
};

describe('ensureBaseImage races', () => {
  beforeEach(() => {
    ecrMock.reset();
  });

  it('uses the winner when its own push is refused because another run pushed the tag (immutable tags)', async () => {
    ecrMock.on(DescribeImagesCommand).rejectsOnce(notFound()).resolves({ imageDetails: [{ imageDigest: digestOf(9), imageTags: [request.tag] }] });
    const docker = fakeDocker([
      [startsWith('push'), () => ({ exitCode: 1, stderr: `tag invalid: The image tag '${request.tag}' already exists in the 'shop/base' repository and cannot be overwritten because the repository is immutable.` })],
    ]);
    const logger = memoryLogger();
    const result = await ensureBaseImage(new ECRClient({}), request, { docker, builder: 'buildkit', logger, clock });
    expect(result).toMatchObject({ image: `reg.example/shop/base@${digestOf(9)}`, digest: digestOf(9), rebuilt: false, raceLost: true });
    expect(logger.lines.join('\n')).toMatch(/Another run pushed reg.example\/shop\/base:base-0123456789abcdef01234567/);
  });

  it('pins the digest the tag names after its push when another run overwrote it (mutable tags)', async () => {
    ecrMock.on(DescribeImagesCommand).rejectsOnce(notFound()).resolves({ imageDetails: [{ imageDigest: digestOf(9) }] });
    const docker = fakeDocker([[startsWith('push'), (args) => ({ stdout: pushOutput(args[1]!, digestOf(3), 2, 0) })]]);
    const result = await ensureBaseImage(new ECRClient({}), request, { docker, builder: 'buildkit', logger: memoryLogger(), clock });
    expect(result).toMatchObject({ digest: digestOf(9), rebuilt: true, raceLost: true });
  });

  it('keeps its own digest when it won, and reports the push', async () => {
    ecrMock.on(DescribeImagesCommand).rejectsOnce(notFound()).resolves({ imageDetails: [{ imageDigest: digestOf(3), imageSizeInBytes: 1234 }] });
    const docker = fakeDocker([[startsWith('push'), (args) => ({ stdout: pushOutput(args[1]!, digestOf(3), 2, 0) })]]);
    const result = await ensureBaseImage(new ECRClient({}), request, { docker, builder: 'buildkit', logger: memoryLogger(), clock });
    expect(result).toMatchObject({ digest: digestOf(3), rebuilt: true, raceLost: false, sizeBytes: 1234, pushedLayers: 2 });
  });

  it('rethrows a failed build when no other run produced the tag', async () => {
    ecrMock.on(DescribeImagesCommand).rejects(notFound());
    const docker = fakeDocker([[startsWith('build'), () => ({ exitCode: 2, stderr: 'E: Unable to locate package php8.3-intl\n' })]]);
    const attempt = ensureBaseImage(new ECRClient({}), request, { docker, builder: 'buildkit', logger: memoryLogger(), clock });
    await expect(attempt).rejects.toThrow(/The base image build failed \(docker exited 2\); nothing was pushed\.[\s\S]*php8.3-intl/);
  });
});
