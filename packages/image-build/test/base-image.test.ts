import { beforeEach, describe, expect, it } from '@jest/globals';
import { BatchDeleteImageCommand, BatchGetImageCommand, DescribeImagesCommand, ECRClient, PutImageCommand } from '@aws-sdk/client-ecr';
import { mockClient } from 'aws-sdk-client-mock';
import { ensureBaseImage, type BaseImageRequest } from '../src/index.js';
import { digestOf, fakeDocker, memoryLogger, pushOutput, startsWith } from './helpers/fake-docker.js';

// Narrow call-sequence tests of the race handling; the real races run in docker.integration.test.ts.
const ecrMock = mockClient(ECRClient);
const notFound = () => Object.assign(new Error('not found'), { name: 'ImageNotFoundException' });
const clock = { now: () => new Date(0) };
const OURS = digestOf(3);
const THEIRS = digestOf(9);

const request: BaseImageRequest = {
  repositoryName: 'shop/base',
  repositoryUri: 'reg.example/shop/base',
  tag: 'base-0123456789abcdef01234567',
  settleMs: 0,
  spec: { name: 'base', context: '/w', dockerfile: '/w/base.Dockerfile', platforms: ['linux/amd64'], buildArgs: {}, labels: {}, annotations: {}, cacheFrom: [], cacheTo: [], provenance: false },
};

/** DescribeImages by tag answers in turn: undefined = not found. */
function tagLookups(...answers: (string | undefined)[]) {
  const stub = ecrMock.on(DescribeImagesCommand);
  for (const answer of answers) {
    if (answer) stub.resolvesOnce({ imageDetails: [{ imageDigest: answer, imageTags: [request.tag], imageSizeInBytes: 1234 }] });
    else stub.rejectsOnce(notFound());
  }
}
const pushing = (digest = OURS) => fakeDocker([[startsWith('push'), (args) => ({ stdout: pushOutput(args[1]!, digest, 2, 0) })]]);
const ctx = (docker = pushing(), logger = memoryLogger()) => ({ docker, builder: 'buildkit' as const, logger, clock });
const putTags = () => ecrMock.commandCalls(PutImageCommand).map((c) => c.args[0].input.imageTag);
const removed = () => ecrMock.commandCalls(BatchDeleteImageCommand).map((c) => c.args[0].input.imageIds![0]!.imageTag);

describe('ensureBaseImage', () => {
  beforeEach(() => {
    ecrMock.reset();
    ecrMock.on(BatchGetImageCommand).resolves({ images: [{ imageId: { imageDigest: OURS }, imageManifest: '{"schemaVersion":2}', imageManifestMediaType: 'application/vnd.oci.image.manifest.v1+json' }] });
    ecrMock.on(PutImageCommand).resolves({});
    ecrMock.on(BatchDeleteImageCommand).resolves({ imageIds: [], failures: [] });
  });

  it('reuses the image its content tag names without building', async () => {
    tagLookups(THEIRS);
    const docker = pushing();
    const result = await ensureBaseImage(new ECRClient({}), request, ctx(docker));
    expect(result).toMatchObject({ digest: THEIRS, rebuilt: false, raceLost: false });
    expect(docker.calls).toEqual([]);
  });

  it('pushes under a staging tag of its own, then puts the content tag on exactly that image', async () => {
    tagLookups(undefined, undefined, OURS, OURS);
    const docker = pushing();
    const result = await ensureBaseImage(new ECRClient({}), request, ctx(docker));
    expect(result).toMatchObject({ image: `reg.example/shop/base@${OURS}`, digest: OURS, rebuilt: true, raceLost: false, sizeBytes: 1234, pushedLayers: 2 });
    const pushed = docker.calls.filter((c) => c.args[0] === 'push').map((c) => c.args[1]);
    expect(pushed).toEqual([expect.stringMatching(/^reg\.example\/shop\/base:gantry-staging-[0-9a-f]{16}$/)]);
    expect(ecrMock.commandCalls(PutImageCommand)[0]!.args[0].input).toEqual({
      repositoryName: 'shop/base',
      imageManifest: '{"schemaVersion":2}',
      imageManifestMediaType: 'application/vnd.oci.image.manifest.v1+json',
      imageDigest: OURS,
      imageTag: request.tag,
    });
    const staging = pushed[0]!.split(':').pop();
    expect(removed()).toEqual([staging]);
    // The engine keeps the image under its final name, not the staging one.
    expect(docker.calls.slice(-2).map((c) => c.args)).toEqual([['tag', pushed[0], `reg.example/shop/base:${request.tag}`], ['rmi', pushed[0]]]);
    expect(ecrMock.commandCalls(DescribeImagesCommand)).toHaveLength(4); // before, before tagging, read-back, settled read
  });

  it('adopts the image another run tagged while this one built, without tagging its own', async () => {
    tagLookups(undefined, THEIRS);
    const logger = memoryLogger();
    const result = await ensureBaseImage(new ECRClient({}), request, ctx(pushing(), logger));
    expect(result).toMatchObject({ digest: THEIRS, image: `reg.example/shop/base@${THEIRS}`, rebuilt: true, raceLost: true });
    expect(putTags()).toEqual([]);
    expect(removed()).toHaveLength(1); // its own staged image goes with its only tag
    expect(logger.lines.join('\n')).toMatch(/Another run tagged reg.example\/shop\/base:base-0123456789abcdef01234567 \(sha256:0+9\) while this one built it/);
  });

  it('IMMUTABLE tags: adopts the holder when PutImage is refused, with no second read', async () => {
    tagLookups(undefined, undefined, THEIRS);
    ecrMock.on(PutImageCommand).rejects(Object.assign(new Error('tag exists'), { name: 'ImageTagAlreadyExistsException' }));
    const logger = memoryLogger();
    const result = await ensureBaseImage(new ECRClient({}), { ...request, tagsImmutable: true }, ctx(pushing(), logger));
    expect(result).toMatchObject({ digest: THEIRS, rebuilt: true, raceLost: true });
    expect(logger.lines.join('\n')).toMatch(/the tag is immutable and another run set it first/);
    expect(ecrMock.commandCalls(DescribeImagesCommand)).toHaveLength(3);
  });

  it('MUTABLE tags: adopts the image the tag names when it has moved by the settled read', async () => {
    tagLookups(undefined, undefined, OURS, THEIRS);
    const result = await ensureBaseImage(new ECRClient({}), request, ctx());
    expect(result).toMatchObject({ digest: THEIRS, rebuilt: true, raceLost: true });
    expect(putTags()).toEqual([request.tag]);
  });

  const failing = () => fakeDocker([[startsWith('build'), () => ({ exitCode: 2, stderr: 'E: Unable to locate package php8.3-intl\n' })]]);
  it('rethrows a failed build when no other run produced the tag', async () => {
    tagLookups(undefined, undefined);
    await expect(ensureBaseImage(new ECRClient({}), request, ctx(failing()))).rejects.toThrow(/The base image build failed \(docker exited 2\); nothing was pushed\.[\s\S]*php8.3-intl/);
  });

  it('adopts the base another run produced when its own build failed', async () => {
    tagLookups(undefined, THEIRS);
    await expect(ensureBaseImage(new ECRClient({}), request, ctx(failing()))).resolves.toMatchObject({ digest: THEIRS, rebuilt: false, raceLost: true });
  });
});
