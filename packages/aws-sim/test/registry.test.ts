import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { randomBytes } from 'node:crypto';
import {
  BatchDeleteImageCommand,
  BatchGetImageCommand,
  CreateRepositoryCommand,
  DeleteRepositoryCommand,
  ECRClient,
  DescribeImagesCommand,
  DescribeRepositoriesCommand,
  GetAuthorizationTokenCommand,
  PutImageCommand,
  PutLifecyclePolicyCommand,
} from '@aws-sdk/client-ecr';
import { RegistryClient } from '../src/registry/client.js';
import { buildSeedManifest } from '../src/ecr/manifest.js';
import { startEcrHarness } from './ecr-harness.js';
import { startSimulator } from '../src/index.js';
import { sdkConfig } from '../src/testing.js';

// Registry mode against a real OCI registry (Debian docker-registry, delete enabled). CI sets
// GANTRY_TEST_REGISTRY and GANTRY_REQUIRE_DOCKER (scripts/ci/docker-sandbox.sh); locally the suite skips
// with a visible message when no registry answers.
const registryHost = process.env.GANTRY_TEST_REGISTRY ?? '127.0.0.1:5000';
const registryUrl = `http://${registryHost}`;
const required = Boolean(process.env.GANTRY_REQUIRE_DOCKER);
const reachable = await new RegistryClient(registryUrl).ping();
if (!reachable && required) throw new Error(`GANTRY_REQUIRE_DOCKER is set but no registry answers at ${registryUrl}/v2/`);
if (!reachable) console.warn(`[registry.test] SKIPPED: no OCI registry at ${registryUrl} (set GANTRY_TEST_REGISTRY, or GANTRY_REQUIRE_DOCKER=1 to fail instead)`);
const describeRegistry = reachable ? describe : describe.skip;

/** Pushes an image straight over the distribution API, as `docker push` would. */
async function pushDirect(client: RegistryClient, repository: string, tag: string) {
  const seeded = buildSeedManifest({ repositoryName: repository, nonce: randomBytes(8).toString('hex'), createdAt: new Date() });
  await client.uploadBlob(repository, seeded.config.digest, seeded.config.bytes);
  await client.uploadBlob(repository, seeded.layer.digest, seeded.layer.bytes);
  const digest = await client.putManifest(repository, tag, seeded.manifest, seeded.mediaType);
  return { digest, seeded };
}

describeRegistry('ECR backed by a real OCI registry', () => {
  const client = new RegistryClient(registryUrl);
  const repo = `gantry-test/r${Date.now().toString(36)}${randomBytes(3).toString('hex')}`;
  let h: Awaited<ReturnType<typeof startEcrHarness>>;
  beforeAll(async () => {
    h = await startEcrHarness({ registryUrl });
  });
  afterAll(async () => {
    await h.ecr.send(new DeleteRepositoryCommand({ repositoryName: repo, force: true })).catch(() => undefined);
    await h.stop();
  });

  it('GetAuthorizationToken names the registry as proxyEndpoint, and repository URIs use its host', async () => {
    const { authorizationData } = await h.ecr.send(new GetAuthorizationTokenCommand({}));
    expect(authorizationData![0]!.proxyEndpoint).toBe(registryUrl);
    expect(h.part.ecr.registryHost).toBe(registryHost);
  });

  it('lists an image pushed over HTTP with the registry digest, retags it, and deletes it from the registry', async () => {
    const pushed = await pushDirect(client, repo, 'v1');
    const { repositories } = await h.ecr.send(new DescribeRepositoriesCommand({ repositoryNames: [repo] }));
    expect(repositories![0]!.repositoryUri).toBe(`${registryHost}/${repo}`);
    const { imageDetails } = await h.ecr.send(new DescribeImagesCommand({ repositoryName: repo }));
    expect(imageDetails!.map((d) => [d.imageDigest, d.imageTags])).toEqual([[pushed.digest, ['v1']]]);
    expect(imageDetails![0]!.imagePushedAt).toBeInstanceOf(Date);
    expect(h.part.images.resolve(`${registryHost}/${repo}:v1`)).toMatchObject({ imageDigest: pushed.digest });

    // Retag through the ECR API: the registry now serves the same digest under the new tag.
    const { images } = await h.ecr.send(new BatchGetImageCommand({ repositoryName: repo, imageIds: [{ imageTag: 'v1' }] }));
    expect(images![0]!.imageManifest).toBe(pushed.seeded.manifest);
    await h.ecr.send(new PutImageCommand({ repositoryName: repo, imageManifest: images![0]!.imageManifest, imageManifestMediaType: images![0]!.imageManifestMediaType, imageTag: 'keep' }));
    expect((await client.headManifest(repo, 'keep'))?.digest).toBe(pushed.digest);

    // Untagging one of two tags keeps the image (and its other tag) in the registry.
    await h.ecr.send(new BatchDeleteImageCommand({ repositoryName: repo, imageIds: [{ imageTag: 'v1' }] }));
    expect(await client.headManifest(repo, 'v1')).toBeUndefined();
    expect((await client.headManifest(repo, 'keep'))?.digest).toBe(pushed.digest);
    const after = await h.ecr.send(new DescribeImagesCommand({ repositoryName: repo }));
    expect(after.imageDetails!.map((d) => [d.imageDigest, d.imageTags])).toEqual([[pushed.digest, ['keep']]]);
  });

  it('seeds into the registry and prunes through the lifecycle policy, deleting from the registry', async () => {
    const old = await h.part.ecr.seedImage({ repositoryName: repo, tags: ['old'], pushedAt: new Date(h.clock.nowMs() - 30 * 86_400_000) });
    expect((await client.headManifest(repo, 'old'))?.digest).toBe(old.imageDigest);
    const policy = JSON.stringify({
      rules: [{ rulePriority: 1, description: 'prune old', selection: { tagStatus: 'tagged', tagPatternList: ['old*'], countType: 'sinceImagePushed', countUnit: 'days', countNumber: 7 }, action: { type: 'expire' } }],
    });
    await h.ecr.send(new PutLifecyclePolicyCommand({ repositoryName: repo, lifecyclePolicyText: policy }));
    const applied = await h.part.control.applyLifecyclePolicies!({ repositoryName: repo });
    expect(applied.expired.map((e: { imageDigest: string }) => e.imageDigest)).toEqual([old.imageDigest]);
    expect(await client.headManifest(repo, old.imageDigest)).toBeUndefined();
    const left = await h.ecr.send(new DescribeImagesCommand({ repositoryName: repo }));
    expect(left.imageDetails!.map((d) => d.imageTags)).toEqual([['keep']]);
  });

  it('notices images deleted directly in the registry', async () => {
    const gone = await pushDirect(client, repo, 'ephemeral');
    expect((await h.ecr.send(new DescribeImagesCommand({ repositoryName: repo }))).imageDetails!.map((d) => d.imageDigest)).toContain(gone.digest);
    await client.deleteManifest(repo, gone.digest);
    expect((await h.ecr.send(new DescribeImagesCommand({ repositoryName: repo }))).imageDetails!.map((d) => d.imageDigest)).not.toContain(gone.digest);
  });
});

// Regions with --registry: the default region's ECR is the registry; another region's ECR lives in memory
// with its own `<account>.dkr.ecr.<region>.amazonaws.com` URIs (README, "Regions").
describeRegistry('regions with a backing registry', () => {
  it('backs only the default region with the registry', async () => {
    const sim = await startSimulator({ port: 0, speed: 0, registryUrl });
    const us = new ECRClient({ ...sdkConfig(sim, { maxAttempts: 1 }), region: 'us-east-1' });
    const eu = new ECRClient({ ...sdkConfig(sim, { maxAttempts: 1 }), region: 'eu-west-1' });
    const name = `gantry-test/reg${randomBytes(4).toString('hex')}`;
    try {
      expect((await us.send(new CreateRepositoryCommand({ repositoryName: name }))).repository!.repositoryUri).toBe(`${registryHost}/${name}`);
      expect((await eu.send(new CreateRepositoryCommand({ repositoryName: name }))).repository!.repositoryUri).toBe(`123456789012.dkr.ecr.eu-west-1.amazonaws.com/${name}`);
      expect((await eu.send(new GetAuthorizationTokenCommand({}))).authorizationData![0]!.proxyEndpoint).toBe('https://123456789012.dkr.ecr.eu-west-1.amazonaws.com');
      expect((await us.send(new GetAuthorizationTokenCommand({}))).authorizationData![0]!.proxyEndpoint).toBe(registryUrl);
    } finally {
      await us.send(new DeleteRepositoryCommand({ repositoryName: name, force: true })).catch(() => undefined);
      us.destroy();
      eu.destroy();
      await sim.stop();
    }
  });
});
