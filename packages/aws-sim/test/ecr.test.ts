import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { createHash } from 'node:crypto';
import {
  BatchDeleteImageCommand,
  BatchGetImageCommand,
  CreateRepositoryCommand,
  DeleteRepositoryCommand,
  DescribeImagesCommand,
  DescribeRepositoriesCommand,
  GetAuthorizationTokenCommand,
  ListImagesCommand,
  PutImageCommand,
  paginateDescribeImages,
} from '@aws-sdk/client-ecr';
import { rejection, startEcrHarness } from './ecr-harness.js';

const sha = (text: string) => `sha256:${createHash('sha256').update(text).digest('hex')}`;

describe('ECR repositories and images (memory mode, SDK over HTTP)', () => {
  let h: Awaited<ReturnType<typeof startEcrHarness>>;
  beforeAll(async () => {
    h = await startEcrHarness();
  });
  afterAll(async () => h.stop());

  it('creates, describes and deletes repositories with the documented errors', async () => {
    const created = await h.ecr.send(
      new CreateRepositoryCommand({
        repositoryName: 'team/web',
        imageTagMutability: 'IMMUTABLE_WITH_EXCLUSION',
        imageTagMutabilityExclusionFilters: [{ filterType: 'WILDCARD', filter: 'latest' }],
        imageScanningConfiguration: { scanOnPush: true },
      }),
    );
    expect(created.repository).toMatchObject({
      repositoryName: 'team/web',
      repositoryUri: '123456789012.dkr.ecr.us-east-1.amazonaws.com/team/web',
      repositoryArn: 'arn:aws:ecr:us-east-1:123456789012:repository/team/web',
      imageTagMutability: 'IMMUTABLE_WITH_EXCLUSION',
      imageTagMutabilityExclusionFilters: [{ filterType: 'WILDCARD', filter: 'latest' }],
      imageScanningConfiguration: { scanOnPush: true },
    });
    expect(created.repository?.createdAt).toBeInstanceOf(Date);
    expect((await rejection(h.ecr.send(new CreateRepositoryCommand({ repositoryName: 'team/web' })))).name).toBe('RepositoryAlreadyExistsException');
    expect((await rejection(h.ecr.send(new CreateRepositoryCommand({ repositoryName: 'Bad_Name!' })))).name).toBe('InvalidParameterException');
    expect((await rejection(h.ecr.send(new CreateRepositoryCommand({ repositoryName: 'x1', imageTagMutability: 'IMMUTABLE_WITH_EXCLUSION' })))).name).toBe(
      'InvalidParameterException',
    );
    const missing = await rejection(h.ecr.send(new DescribeRepositoriesCommand({ repositoryNames: ['nope'] })));
    expect(missing.name).toBe('RepositoryNotFoundException');
    expect(missing.message).toBe("The repository with name 'nope' does not exist in the registry with id '123456789012'");

    await h.part.control.seedImage!({ repositoryName: 'doomed', tags: ['v1'] });
    expect((await rejection(h.ecr.send(new DeleteRepositoryCommand({ repositoryName: 'doomed' })))).name).toBe('RepositoryNotEmptyException');
    await h.ecr.send(new DeleteRepositoryCommand({ repositoryName: 'doomed', force: true }));
    expect((await rejection(h.ecr.send(new DescribeImagesCommand({ repositoryName: 'doomed' })))).name).toBe('RepositoryNotFoundException');
  });

  it('seeds real OCI images that DescribeImages and BatchGetImage return with the same digest', async () => {
    const pushedAt = new Date('2026-02-01T10:00:00Z');
    const base = await h.part.ecr.seedImage({ repositoryName: 'base', tags: ['php-8.3'] });
    const seeded = await h.part.ecr.seedImage({ repositoryName: 'app', tags: ['v1', 'prod'], pushedAt, baseDigest: base.imageDigest, baseName: 'base:php-8.3', sizeBytes: 50_000 });
    const { imageDetails } = await h.ecr.send(new DescribeImagesCommand({ repositoryName: 'app' }));
    expect(imageDetails).toHaveLength(1);
    expect(imageDetails![0]).toMatchObject({
      registryId: '123456789012',
      repositoryName: 'app',
      imageDigest: seeded.imageDigest,
      imageTags: ['v1', 'prod'],
      imagePushedAt: pushedAt,
      imageSizeInBytes: 50_000,
      imageManifestMediaType: 'application/vnd.oci.image.manifest.v1+json',
      artifactMediaType: 'application/vnd.oci.image.config.v1+json',
      imageStatus: 'ACTIVE',
    });
    const got = await h.ecr.send(new BatchGetImageCommand({ repositoryName: 'app', imageIds: [{ imageTag: 'v1' }] }));
    const manifest = got.images![0]!.imageManifest!;
    expect(sha(manifest)).toBe(seeded.imageDigest);
    const doc = JSON.parse(manifest);
    expect(doc.config.digest).toMatch(/^sha256:[0-9a-f]{64}$/);
    expect(doc.layers).toHaveLength(1);
    expect(doc.annotations['org.opencontainers.image.base.digest']).toBe(base.imageDigest);
    expect(doc.annotations['org.opencontainers.image.base.name']).toBe('base:php-8.3');
  });

  it('pages DescribeImages and ListImages, filters by tag status and validates maxResults', async () => {
    for (let i = 0; i < 130; i++) await h.part.ecr.seedImage({ repositoryName: 'many', tags: i % 2 ? [`t${i}`] : [] });
    const digests: string[] = [];
    let pages = 0;
    for await (const page of paginateDescribeImages({ client: h.ecr, pageSize: 50 }, { repositoryName: 'many' })) {
      pages++;
      digests.push(...page.imageDetails!.map((d) => d.imageDigest!));
    }
    expect(pages).toBe(3);
    expect(new Set(digests).size).toBe(130);
    const first = await h.ecr.send(new DescribeImagesCommand({ repositoryName: 'many' }));
    expect(first.imageDetails).toHaveLength(100);
    expect(first.nextToken).toBeDefined();
    const tagged = await h.ecr.send(new ListImagesCommand({ repositoryName: 'many', filter: { tagStatus: 'TAGGED' }, maxResults: 1000 }));
    expect(tagged.imageIds).toHaveLength(65);
    expect(tagged.imageIds!.every((id) => id.imageTag)).toBe(true);
    const untagged = await h.ecr.send(new DescribeImagesCommand({ repositoryName: 'many', filter: { tagStatus: 'UNTAGGED' }, maxResults: 1000 }));
    expect(untagged.imageDetails).toHaveLength(65);
    expect(untagged.imageDetails!.every((d) => d.imageTags === undefined)).toBe(true);
    expect((await rejection(h.ecr.send(new DescribeImagesCommand({ repositoryName: 'many', maxResults: 1001 })))).name).toBe('InvalidParameterException');
    expect((await rejection(h.ecr.send(new ListImagesCommand({ repositoryName: 'many', nextToken: 'garbage' })))).name).toBe('InvalidParameterException');
  });

  it('raises ImageNotFoundException for DescribeImages by id and reports BatchGetImage failures', async () => {
    const seeded = await h.part.ecr.seedImage({ repositoryName: 'ids', tags: ['a'] });
    const notFound = await rejection(h.ecr.send(new DescribeImagesCommand({ repositoryName: 'ids', imageIds: [{ imageTag: 'zzz' }] })));
    expect(notFound.name).toBe('ImageNotFoundException');
    const byDigest = await h.ecr.send(new DescribeImagesCommand({ repositoryName: 'ids', imageIds: [{ imageDigest: seeded.imageDigest }] }));
    expect(byDigest.imageDetails![0]!.imageTags).toEqual(['a']);
    const other = await h.part.ecr.seedImage({ repositoryName: 'ids', tags: ['b'] });
    const got = await h.ecr.send(
      new BatchGetImageCommand({
        repositoryName: 'ids',
        imageIds: [{ imageTag: 'missing' }, { imageTag: 'a', imageDigest: other.imageDigest }, {}, { imageDigest: 'sha256:nothex' }],
      }),
    );
    expect(got.images).toEqual([]);
    expect(got.failures!.map((f) => f.failureCode)).toEqual(['ImageNotFound', 'ImageTagDoesNotMatchDigest', 'MissingDigestAndTag', 'InvalidImageDigest']);
    expect((await rejection(h.ecr.send(new BatchGetImageCommand({ repositoryName: 'nowhere', imageIds: [{ imageTag: 'a' }] })))).name).toBe('RepositoryNotFoundException');
  });

  it('BatchGetImage counts as a pull and updates lastRecordedPullTime', async () => {
    await h.part.ecr.seedImage({ repositoryName: 'pulled', tags: ['v1'] });
    const before = await h.ecr.send(new DescribeImagesCommand({ repositoryName: 'pulled' }));
    expect(before.imageDetails![0]!.lastRecordedPullTime).toBeUndefined();
    await h.ecr.send(new BatchGetImageCommand({ repositoryName: 'pulled', imageIds: [{ imageTag: 'v1' }] }));
    const after = await h.ecr.send(new DescribeImagesCommand({ repositoryName: 'pulled' }));
    expect(after.imageDetails![0]!.lastRecordedPullTime).toBeInstanceOf(Date);
  });

  it('retags with PutImage using the exact manifest bytes, and enforces the immutability rules', async () => {
    await h.ecr.send(
      new CreateRepositoryCommand({
        repositoryName: 'immutable',
        imageTagMutability: 'IMMUTABLE_WITH_EXCLUSION',
        imageTagMutabilityExclusionFilters: [{ filterType: 'WILDCARD', filter: 'keep-*' }],
      }),
    );
    const one = await h.part.ecr.seedImage({ repositoryName: 'immutable', tags: ['v1'] });
    const two = await h.part.ecr.seedImage({ repositoryName: 'immutable', tags: ['v2'] });
    const { images } = await h.ecr.send(new BatchGetImageCommand({ repositoryName: 'immutable', imageIds: [{ imageTag: 'v1' }] }));
    const manifest = images![0]!.imageManifest!;
    const mediaType = images![0]!.imageManifestMediaType!;

    const retag = await h.ecr.send(new PutImageCommand({ repositoryName: 'immutable', imageManifest: manifest, imageManifestMediaType: mediaType, imageTag: 'release', imageDigest: one.imageDigest }));
    expect(retag.image?.imageId).toEqual({ imageDigest: one.imageDigest, imageTag: 'release' });
    const again = await rejection(h.ecr.send(new PutImageCommand({ repositoryName: 'immutable', imageManifest: manifest, imageTag: 'release' })));
    expect(again.name).toBe('ImageAlreadyExistsException');
    // Moving an immutable tag to another image is refused...
    const twoManifest = (await h.ecr.send(new BatchGetImageCommand({ repositoryName: 'immutable', imageIds: [{ imageTag: 'v2' }] }))).images![0]!.imageManifest!;
    const moved = await rejection(h.ecr.send(new PutImageCommand({ repositoryName: 'immutable', imageManifest: twoManifest, imageTag: 'v1' })));
    expect(moved.name).toBe('ImageTagAlreadyExistsException');
    // ...unless the tag matches an exclusion filter.
    await h.ecr.send(new PutImageCommand({ repositoryName: 'immutable', imageManifest: manifest, imageTag: 'keep-current' }));
    await h.ecr.send(new PutImageCommand({ repositoryName: 'immutable', imageManifest: twoManifest, imageTag: 'keep-current' }));
    const desc = await h.ecr.send(new DescribeImagesCommand({ repositoryName: 'immutable', imageIds: [{ imageTag: 'keep-current' }] }));
    expect(desc.imageDetails![0]!.imageDigest).toBe(two.imageDigest);

    const wrongDigest = await rejection(h.ecr.send(new PutImageCommand({ repositoryName: 'immutable', imageManifest: manifest, imageTag: 'x', imageDigest: two.imageDigest })));
    expect(wrongDigest.name).toBe('ImageDigestDoesNotMatchException');
    const badJson = await rejection(h.ecr.send(new PutImageCommand({ repositoryName: 'immutable', imageManifest: '{not json', imageTag: 'x' })));
    expect(badJson.name).toBe('InvalidParameterException');
    expect((await rejection(h.ecr.send(new PutImageCommand({ repositoryName: 'immutable', imageManifest: manifest, imageTag: 'bad tag' })))).name).toBe('InvalidParameterException');
  });

  it('refuses an index whose children are missing, and protects referenced children from BatchDeleteImage', async () => {
    const child = await h.part.ecr.seedImage({ repositoryName: 'multi', platform: 'linux/arm64' });
    const index = (children: string[]) =>
      JSON.stringify({
        schemaVersion: 2,
        mediaType: 'application/vnd.oci.image.index.v1+json',
        manifests: children.map((digest) => ({ mediaType: 'application/vnd.oci.image.manifest.v1+json', digest, size: 500, platform: { os: 'linux', architecture: 'arm64' } })),
      });
    const missing = await rejection(
      h.ecr.send(new PutImageCommand({ repositoryName: 'multi', imageManifest: index([sha('nothing here')]), imageManifestMediaType: 'application/vnd.oci.image.index.v1+json', imageTag: 'v1' })),
    );
    expect(missing.name).toBe('ReferencedImagesNotFoundException');
    const put = await h.ecr.send(new PutImageCommand({ repositoryName: 'multi', imageManifest: index([child.imageDigest]), imageTag: 'v1' }));
    const indexDigest = put.image!.imageId!.imageDigest!;
    const del = await h.ecr.send(new BatchDeleteImageCommand({ repositoryName: 'multi', imageIds: [{ imageDigest: child.imageDigest }] }));
    expect(del.imageIds).toEqual([]);
    expect(del.failures![0]).toMatchObject({ failureCode: 'ImageReferencedByManifestList' });
    const [detail] = (await h.ecr.send(new DescribeImagesCommand({ repositoryName: 'multi', imageIds: [{ imageDigest: indexDigest }] }))).imageDetails!;
    expect(detail!.imageManifestMediaType).toBe('application/vnd.oci.image.index.v1+json');
    // Deleting the index first frees the child.
    await h.ecr.send(new BatchDeleteImageCommand({ repositoryName: 'multi', imageIds: [{ imageDigest: indexDigest }] }));
    const freed = await h.ecr.send(new BatchDeleteImageCommand({ repositoryName: 'multi', imageIds: [{ imageDigest: child.imageDigest }] }));
    expect(freed.imageIds).toEqual([{ imageDigest: child.imageDigest }]);
  });

  it('BatchDeleteImage by tag untags, deletes the image with its last tag, and by digest removes every tag', async () => {
    const a = await h.part.ecr.seedImage({ repositoryName: 'del', tags: ['one', 'two'] });
    const b = await h.part.ecr.seedImage({ repositoryName: 'del', tags: ['solo'] });
    const c = await h.part.ecr.seedImage({ repositoryName: 'del', tags: ['x', 'y'] });
    const out = await h.ecr.send(
      new BatchDeleteImageCommand({ repositoryName: 'del', imageIds: [{ imageTag: 'one' }, { imageTag: 'solo' }, { imageDigest: c.imageDigest }, { imageTag: 'ghost' }] }),
    );
    expect(out.imageIds).toEqual([
      { imageDigest: a.imageDigest, imageTag: 'one' },
      { imageDigest: b.imageDigest, imageTag: 'solo' },
      { imageDigest: c.imageDigest, imageTag: 'x' },
      { imageDigest: c.imageDigest, imageTag: 'y' },
    ]);
    expect(out.failures).toEqual([{ imageId: { imageTag: 'ghost' }, failureCode: 'ImageNotFound', failureReason: 'Requested image not found' }]);
    const left = await h.ecr.send(new DescribeImagesCommand({ repositoryName: 'del' }));
    expect(left.imageDetails!.map((d) => [d.imageDigest, d.imageTags])).toEqual([[a.imageDigest, ['two']]]);
  });

  it('GetAuthorizationToken returns AWS:<password>, the registry endpoint and a 12-hour expiry', async () => {
    const { authorizationData } = await h.ecr.send(new GetAuthorizationTokenCommand({}));
    const data = authorizationData![0]!;
    const decoded = Buffer.from(data.authorizationToken!, 'base64').toString('utf8');
    expect(decoded).toMatch(/^AWS:\S{20,}$/);
    expect(data.proxyEndpoint).toBe('https://123456789012.dkr.ecr.us-east-1.amazonaws.com');
    const hours = (data.expiresAt!.getTime() - h.clock.nowMs()) / 3600_000;
    expect(hours).toBeGreaterThan(11.9);
    expect(hours).toBeLessThanOrEqual(12);
  });

  it('resolves image references for ECS pulls with the container runtime wording, and records pulls', async () => {
    const seeded = await h.part.ecr.seedImage({ repositoryName: 'svc', tags: ['v7'] });
    const host = '123456789012.dkr.ecr.us-east-1.amazonaws.com';
    const byTag = h.part.images.resolve(`${host}/svc:v7`);
    expect(byTag).toEqual({ registry: host, repositoryName: 'svc', imageDigest: seeded.imageDigest, tag: 'v7' });
    expect(h.part.images.resolve(`svc@${seeded.imageDigest}`)).toMatchObject({ imageDigest: seeded.imageDigest });
    expect(h.part.images.resolve(`${host}/svc:v8`)).toEqual({
      error: `CannotPullContainerError: pull image manifest has been retried 1 time(s): failed to resolve ref ${host}/svc:v8: ${host}/svc:v8: not found`,
    });
    expect(h.part.images.resolve(`${host}/nope:v1`)).toHaveProperty('error');
    expect(h.part.images.resolve(`${host}/svc@${sha('gone')}`)).toHaveProperty('error');
    expect(h.part.images.resolve('999999999999.dkr.ecr.us-east-1.amazonaws.com/svc:v7')).toHaveProperty('error');
    expect(h.part.images.resolve('public.ecr.aws/nginx/nginx:1.27')).toMatchObject({ registry: 'public.ecr.aws', repositoryName: 'nginx/nginx' });

    const pulledAt = new Date('2026-03-05T00:00:00Z');
    h.part.images.recordPull(byTag as Exclude<typeof byTag, { error: string }>, pulledAt);
    const { imageDetails } = await h.ecr.send(new DescribeImagesCommand({ repositoryName: 'svc' }));
    expect(imageDetails![0]!.lastRecordedPullTime).toEqual(pulledAt);
  });
});
