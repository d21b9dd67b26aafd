import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import {
  BatchGetImageCommand,
  DeleteLifecyclePolicyCommand,
  DescribeImagesCommand,
  GetLifecyclePolicyCommand,
  GetLifecyclePolicyPreviewCommand,
  ListImagesCommand,
  PutLifecyclePolicyCommand,
  StartLifecyclePolicyPreviewCommand,
  UpdateImageStorageClassCommand,
} from '@aws-sdk/client-ecr';
import { rejection, startEcrHarness } from './ecr-harness.js';

const DAY = 86_400_000;
const keepTwoReleases = JSON.stringify({
  rules: [
    { rulePriority: 1, description: 'keep two releases', selection: { tagStatus: 'tagged', tagPrefixList: ['v'], countType: 'imageCountMoreThan', countNumber: 2 }, action: { type: 'expire' } },
    { rulePriority: 2, description: 'drop old untagged', selection: { tagStatus: 'untagged', countType: 'sinceImagePushed', countUnit: 'days', countNumber: 1 }, action: { type: 'expire' } },
  ],
});
const archiveUnpulled = JSON.stringify({
  rules: [
    {
      rulePriority: 1,
      description: 'archive what nobody pulled for 30 days',
      selection: { tagStatus: 'any', countType: 'sinceImagePulled', countUnit: 'days', countNumber: 30 },
      action: { type: 'transition', targetStorageClass: 'archive' },
    },
  ],
});

describe('ECR lifecycle policies, previews and apply-now', () => {
  const start = new Date('2026-03-01T00:00:00Z');
  let h: Awaited<ReturnType<typeof startEcrHarness>>;
  const digests: Record<string, string> = {};
  beforeAll(async () => {
    h = await startEcrHarness({ start });
    for (let i = 1; i <= 4; i++) digests[`v${i}`] = (await h.part.ecr.seedImage({ repositoryName: 'rel', tags: [`v${i}`], pushedAt: new Date(start.getTime() - (10 - i) * DAY) })).imageDigest;
    digests.untagged = (await h.part.ecr.seedImage({ repositoryName: 'rel', pushedAt: new Date(start.getTime() - 5 * DAY) })).imageDigest;
    digests.latest = (await h.part.ecr.seedImage({ repositoryName: 'rel', tags: ['latest'], pushedAt: new Date(start.getTime() - 20 * DAY) })).imageDigest;
  });
  afterAll(async () => h.stop());

  it('rejects invalid policies with InvalidParameterException naming the reason', async () => {
    const invalid = JSON.stringify({
      rules: [{ rulePriority: 1, selection: { tagStatus: 'tagged', countType: 'imageCountMoreThan', countNumber: 0 }, action: { type: 'expire' } }],
    });
    const err = await rejection(h.ecr.send(new PutLifecyclePolicyCommand({ repositoryName: 'rel', lifecyclePolicyText: invalid.padEnd(120, ' ') })));
    expect(err.name).toBe('InvalidParameterException');
    expect(err.message).toMatch(/LifecyclePolicyText/);
    expect((await rejection(h.ecr.send(new PutLifecyclePolicyCommand({ repositoryName: 'rel', lifecyclePolicyText: '{"rules":[]}' })))).name).toBe('InvalidParameterException');
    expect((await rejection(h.ecr.send(new PutLifecyclePolicyCommand({ repositoryName: 'nope', lifecyclePolicyText: keepTwoReleases })))).name).toBe('RepositoryNotFoundException');
    expect((await rejection(h.ecr.send(new GetLifecyclePolicyCommand({ repositoryName: 'rel' })))).name).toBe('LifecyclePolicyNotFoundException');
    expect((await rejection(h.ecr.send(new GetLifecyclePolicyPreviewCommand({ repositoryName: 'rel' })))).name).toBe('LifecyclePolicyPreviewNotFoundException');
  });

  it('stores, returns and deletes a valid policy', async () => {
    await h.ecr.send(new PutLifecyclePolicyCommand({ repositoryName: 'rel', lifecyclePolicyText: keepTwoReleases }));
    const got = await h.ecr.send(new GetLifecyclePolicyCommand({ repositoryName: 'rel' }));
    expect(got).toMatchObject({ repositoryName: 'rel', registryId: '123456789012', lifecyclePolicyText: keepTwoReleases });
    const deleted = await h.ecr.send(new DeleteLifecyclePolicyCommand({ repositoryName: 'rel' }));
    expect(deleted.lifecyclePolicyText).toBe(keepTwoReleases);
    expect((await rejection(h.ecr.send(new GetLifecyclePolicyCommand({ repositoryName: 'rel' })))).name).toBe('LifecyclePolicyNotFoundException');
  });

  it('runs a preview asynchronously: IN_PROGRESS, one at a time, then COMPLETE with the evaluator results', async () => {
    const started = await h.ecr.send(new StartLifecyclePolicyPreviewCommand({ repositoryName: 'rel', lifecyclePolicyText: keepTwoReleases }));
    expect(started.status).toBe('IN_PROGRESS');
    expect((await rejection(h.ecr.send(new StartLifecyclePolicyPreviewCommand({ repositoryName: 'rel', lifecyclePolicyText: keepTwoReleases })))).name).toBe(
      'LifecyclePolicyPreviewInProgressException',
    );
    const running = await h.ecr.send(new GetLifecyclePolicyPreviewCommand({ repositoryName: 'rel' }));
    expect(running.status).toBe('IN_PROGRESS');
    expect(running.previewResults ?? []).toEqual([]);
    h.clock.advance(5_000);
    const done = await h.ecr.send(new GetLifecyclePolicyPreviewCommand({ repositoryName: 'rel' }));
    expect(done.status).toBe('COMPLETE');
    const byDigest = Object.fromEntries(done.previewResults!.map((r) => [r.imageDigest, r]));
    expect(Object.keys(byDigest).sort()).toEqual([digests.v1, digests.v2, digests.untagged].sort());
    expect(byDigest[digests.v1!]).toMatchObject({ imageTags: ['v1'], action: { type: 'EXPIRE' }, appliedRulePriority: 1, storageClass: 'STANDARD' });
    expect(byDigest[digests.untagged!]).toMatchObject({ appliedRulePriority: 2 });
    expect(done.summary).toMatchObject({ expiringImageTotalCount: 3 });
    const untaggedOnly = await h.ecr.send(new GetLifecyclePolicyPreviewCommand({ repositoryName: 'rel', filter: { tagStatus: 'UNTAGGED' } }));
    expect(untaggedOnly.previewResults!.map((r) => r.imageDigest)).toEqual([digests.untagged]);
    // Nothing was deleted by the preview.
    expect((await h.ecr.send(new ListImagesCommand({ repositoryName: 'rel' }))).imageIds).toHaveLength(6);
  });

  it('applies the stored policy now and deletes exactly what the evaluator decided', async () => {
    await h.ecr.send(new PutLifecyclePolicyCommand({ repositoryName: 'rel', lifecyclePolicyText: keepTwoReleases }));
    const applied = await h.part.control.applyLifecyclePolicies!({ repositoryName: 'rel' });
    expect(applied.expired.map((e: { imageDigest: string }) => e.imageDigest).sort()).toEqual([digests.v1, digests.v2, digests.untagged].sort());
    const left = await h.ecr.send(new DescribeImagesCommand({ repositoryName: 'rel' }));
    expect(left.imageDetails!.map((d) => d.imageTags![0]).sort()).toEqual(['latest', 'v3', 'v4']);
    const policy = await h.ecr.send(new GetLifecyclePolicyCommand({ repositoryName: 'rel' }));
    expect(policy.lastEvaluatedAt).toBeInstanceOf(Date);
    expect(h.part.images.resolve('rel:v1')).toHaveProperty('error');
    expect(h.part.images.resolve('rel:v4')).toHaveProperty('imageDigest', digests.v4);
  });

  it('archives by pull time: archived images are hidden by default, described with imageStatus ANY, and cannot be pulled', async () => {
    const old = await h.part.ecr.seedImage({ repositoryName: 'cold', tags: ['old'], pushedAt: new Date(start.getTime() - 90 * DAY), lastPulledAt: new Date(start.getTime() - 60 * DAY) });
    const hot = await h.part.ecr.seedImage({ repositoryName: 'cold', tags: ['hot'], pushedAt: new Date(start.getTime() - 90 * DAY), lastPulledAt: new Date(start.getTime() - 1 * DAY) });
    await h.ecr.send(new PutLifecyclePolicyCommand({ repositoryName: 'cold', lifecyclePolicyText: archiveUnpulled }));
    const applied = await h.part.control.applyLifecyclePolicies!('cold');
    expect(applied.archived.map((a: { imageDigest: string }) => a.imageDigest)).toEqual([old.imageDigest]);
    expect(applied.expired).toEqual([]);
    const active = await h.ecr.send(new DescribeImagesCommand({ repositoryName: 'cold' }));
    expect(active.imageDetails!.map((d) => d.imageDigest)).toEqual([hot.imageDigest]);
    const all = await h.ecr.send(new DescribeImagesCommand({ repositoryName: 'cold', filter: { imageStatus: 'ANY' } }));
    const archived = all.imageDetails!.find((d) => d.imageDigest === old.imageDigest)!;
    expect(archived.imageStatus).toBe('ARCHIVED');
    expect(archived.lastArchivedAt).toBeInstanceOf(Date);
    expect(h.part.images.resolve('cold:old')).toHaveProperty('error');
    const pull = await h.ecr.send(new BatchGetImageCommand({ repositoryName: 'cold', imageIds: [{ imageTag: 'old' }] }));
    expect(pull.failures![0]!.failureCode).toBe('ImageNotFound');

    // Restoring goes through ACTIVATING, then the image can be pulled again.
    const restoring = await h.ecr.send(new UpdateImageStorageClassCommand({ repositoryName: 'cold', imageId: { imageTag: 'old' }, targetStorageClass: 'STANDARD' }));
    expect(restoring.imageStatus).toBe('ACTIVATING');
    h.clock.advance(2 * 60_000);
    expect(h.part.images.resolve('cold:old')).toHaveProperty('imageDigest', old.imageDigest);
    const restored = await h.ecr.send(new DescribeImagesCommand({ repositoryName: 'cold', imageIds: [{ imageTag: 'old' }] }));
    expect(restored.imageDetails![0]).toMatchObject({ imageStatus: 'ACTIVE' });
    expect(restored.imageDetails![0]!.lastActivatedAt).toBeInstanceOf(Date);
  });
});
