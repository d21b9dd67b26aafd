import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { createHash, randomBytes } from 'node:crypto';
import { BatchDeleteImageCommand, BatchGetImageCommand, DeleteRepositoryCommand, ECRClient, GetDownloadUrlForLayerCommand } from '@aws-sdk/client-ecr';
import { startSimulator } from '../src/simulator.js';
import { RegistryClient } from '../src/registry/client.js';
import { rejection, startEcrHarness } from './ecr-harness.js';

// GetDownloadUrlForLayer in both modes: memory mode serves blobs under /_sim/blobs/, registry mode hands out
// the registry's /v2/<repo>/blobs/<digest> URL. The registry half follows test/registry.test.ts's rule: it
// skips with a visible message when no registry answers, and fails instead when GANTRY_REQUIRE_DOCKER is set.
const registryHost = process.env.GANTRY_TEST_REGISTRY ?? '127.0.0.1:5000';
const registryUrl = `http://${registryHost}`;
const required = Boolean(process.env.GANTRY_REQUIRE_DOCKER);
const reachable = await new RegistryClient(registryUrl).ping();
if (!reachable && required) throw new Error(`GANTRY_REQUIRE_DOCKER is set but no registry answers at ${registryUrl}/v2/`);
if (!reachable) console.warn(`[ecr-layers.test] registry mode SKIPPED: no OCI registry at ${registryUrl} (set GANTRY_TEST_REGISTRY, or GANTRY_REQUIRE_DOCKER=1 to fail instead)`);

const BASE = `sha256:${'b'.repeat(64)}`;
const sha = (bytes: Buffer) => `sha256:${createHash('sha256').update(bytes).digest('hex')}`;

async function download(url: string): Promise<{ status: number; bytes: Buffer }> {
  const res = await fetch(url);
  return { status: res.status, bytes: Buffer.from(await res.arrayBuffer()) };
}

function contract(mode: 'memory' | 'registry', urlPattern: (repo: string, digest: string) => string) {
  const repo = `gantry-test/layers-${Date.now().toString(36)}${randomBytes(3).toString('hex')}`;
  let h: Awaited<ReturnType<typeof startEcrHarness>>;
  beforeAll(async () => {
    h = await startEcrHarness(mode === 'registry' ? { registryUrl } : {});
  });
  afterAll(async () => {
    await h.ecr.send(new DeleteRepositoryCommand({ repositoryName: repo, force: true })).catch(() => undefined);
    await h.stop();
  });

  const manifestOf = async (digest: string) => {
    const { images } = await h.ecr.send(new BatchGetImageCommand({ repositoryName: repo, imageIds: [{ imageDigest: digest }] }));
    return JSON.parse(images![0]!.imageManifest!) as { config: { digest: string }; layers: { digest: string }[]; annotations?: Record<string, string> };
  };

  it('returns a URL that serves the config blob with its digest, carrying the base image labels', async () => {
    const { imageDigest } = await h.part.ecr.seedImage({ repositoryName: repo, tags: ['app-1'], baseDigest: BASE, baseName: 'base:b1', baseIn: 'labels' });
    const manifest = await manifestOf(imageDigest);
    expect(manifest.annotations?.['org.opencontainers.image.base.digest']).toBeUndefined();

    const out = await h.ecr.send(new GetDownloadUrlForLayerCommand({ repositoryName: repo, layerDigest: manifest.config.digest }));
    expect(out.layerDigest).toBe(manifest.config.digest);
    expect(out.downloadUrl).toEqual(urlPattern(repo, manifest.config.digest));
    const blob = await download(out.downloadUrl!);
    expect(blob.status).toBe(200);
    expect(sha(blob.bytes)).toBe(manifest.config.digest);
    expect(JSON.parse(blob.bytes.toString('utf8')).config.Labels).toEqual({ 'org.opencontainers.image.base.digest': BASE, 'org.opencontainers.image.base.name': 'base:b1' });

    // Layers are served the same way.
    const layer = await h.ecr.send(new GetDownloadUrlForLayerCommand({ repositoryName: repo, layerDigest: manifest.layers[0]!.digest }));
    expect(sha((await download(layer.downloadUrl!)).bytes)).toBe(manifest.layers[0]!.digest);
  });

  it('records the base image as annotations and labels by default, and as annotations only on request', async () => {
    const both = await manifestOf((await h.part.ecr.seedImage({ repositoryName: repo, baseDigest: BASE, baseName: 'base:b1' })).imageDigest);
    expect(both.annotations?.['org.opencontainers.image.base.digest']).toBe(BASE);
    const bothConfig = await h.ecr.send(new GetDownloadUrlForLayerCommand({ repositoryName: repo, layerDigest: both.config.digest }));
    expect(JSON.parse((await download(bothConfig.downloadUrl!)).bytes.toString('utf8')).config.Labels['org.opencontainers.image.base.digest']).toBe(BASE);

    const annotated = await manifestOf((await h.part.ecr.seedImage({ repositoryName: repo, baseDigest: BASE, baseIn: 'annotations' })).imageDigest);
    expect(annotated.annotations?.['org.opencontainers.image.base.name']).toBe('unknown');
    const config = await h.ecr.send(new GetDownloadUrlForLayerCommand({ repositoryName: repo, layerDigest: annotated.config.digest }));
    expect(JSON.parse((await download(config.downloadUrl!)).bytes.toString('utf8')).config.Labels).toBeUndefined();
  });

  it('raises the documented errors: unknown layer, unknown repository, invalid digest, layer of no image', async () => {
    const unknown = `sha256:${'0'.repeat(64)}`;
    expect((await rejection(h.ecr.send(new GetDownloadUrlForLayerCommand({ repositoryName: repo, layerDigest: unknown })))).name).toBe('LayersNotFoundException');
    expect((await rejection(h.ecr.send(new GetDownloadUrlForLayerCommand({ repositoryName: `${repo}-nope`, layerDigest: unknown })))).name).toBe('RepositoryNotFoundException');
    expect((await rejection(h.ecr.send(new GetDownloadUrlForLayerCommand({ repositoryName: repo, layerDigest: 'not-a-digest' })))).name).toBe('InvalidParameterException');

    // Once its image is deleted the blob is "not associated with an image": LayerInaccessibleException.
    const { imageDigest } = await h.part.ecr.seedImage({ repositoryName: repo, tags: ['doomed'] });
    const manifest = await manifestOf(imageDigest);
    const before = await h.ecr.send(new GetDownloadUrlForLayerCommand({ repositoryName: repo, layerDigest: manifest.config.digest }));
    await h.ecr.send(new BatchDeleteImageCommand({ repositoryName: repo, imageIds: [{ imageDigest }] }));
    const err = await rejection(h.ecr.send(new GetDownloadUrlForLayerCommand({ repositoryName: repo, layerDigest: manifest.config.digest })));
    expect(err.name).toBe('LayerInaccessibleException');
    if (mode === 'memory') expect((await download(before.downloadUrl!)).status).toBe(404);
  });
}

describe('GetDownloadUrlForLayer (memory mode)', () => {
  contract('memory', (repo, digest) => expect.stringMatching(new RegExp(`^http://127\\.0\\.0\\.1:\\d+/_sim/blobs/${encodeURIComponent(repo)}/${encodeURIComponent(digest)}\\?X-Amz-Credential=[^&]+%2Fus-east-1%2Fs3%2Faws4_request$`)) as unknown as string);

  it('serves through startSimulator, counts downloads as s3:GetObject, and refuses layers of archived images', async () => {
    const sim = await startSimulator({ port: 0, speed: 0 });
    const ecr = new ECRClient({ region: 'us-east-1', endpoint: sim.endpoint, credentials: { accessKeyId: 'test', secretAccessKey: 'test' }, maxAttempts: 1 });
    try {
      const { imageDigest } = await sim.control.seedImage!({ repositoryName: 'arch', tags: ['v1'], baseDigest: BASE });
      const { images } = await ecr.send(new BatchGetImageCommand({ repositoryName: 'arch', imageIds: [{ imageDigest }] }));
      const config = JSON.parse(images![0]!.imageManifest!).config.digest as string;
      const { downloadUrl } = await ecr.send(new GetDownloadUrlForLayerCommand({ repositoryName: 'arch', layerDigest: config }));
      expect(downloadUrl!.startsWith(`${sim.endpoint}/_sim/blobs/`)).toBe(true);
      expect(sha((await download(downloadUrl!)).bytes)).toBe(config);
      expect(sim.control.callCounts()).toMatchObject({ 'ecr:GetDownloadUrlForLayer': 1, 's3:GetObject': 1 });

      await sim.control.archiveImage!({ repositoryName: 'arch', imageTag: 'v1' });
      expect((await rejection(ecr.send(new GetDownloadUrlForLayerCommand({ repositoryName: 'arch', layerDigest: config })))).name).toBe('LayerInaccessibleException');
      expect((await download(downloadUrl!)).status).toBe(404);
    } finally {
      ecr.destroy();
      await sim.stop();
    }
  });
});

(reachable ? describe : describe.skip)('GetDownloadUrlForLayer (registry mode)', () => {
  contract('registry', (repo, digest) => `${registryUrl}/v2/${repo}/blobs/${digest}`);
});
