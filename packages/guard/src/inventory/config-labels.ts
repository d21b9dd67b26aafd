import { createHash } from 'node:crypto';
import { GetDownloadUrlForLayerCommand } from '@aws-sdk/client-ecr';
import type { InventoryContext } from './context.js';

/** Image configs are small JSON documents; anything this large is not one. */
const MAX_CONFIG_BYTES = 4 * 1024 * 1024;

/**
 * The labels (`config.Labels`) of an image config blob. ECR serves blobs through GetDownloadUrlForLayer,
 * which "Retrieves the pre-signed Amazon S3 download URL corresponding to an image layer" and accepts the
 * config digest like a layer's; the GET on that URL needs no credentials and is no ECR API call.
 * https://docs.aws.amazon.com/AmazonECR/latest/APIReference/API_GetDownloadUrlForLayer.html
 * The bytes must hash to the digest, so a wrong or truncated download is an error, never a guess.
 */
export async function readConfigLabels(ctx: InventoryContext, repositoryName: string, configDigest: string): Promise<Record<string, unknown>> {
  const { downloadUrl } = await ctx.limit(() => ctx.clients.ecr.send(new GetDownloadUrlForLayerCommand({ repositoryName, layerDigest: configDigest })));
  if (!downloadUrl) throw new Error('GetDownloadUrlForLayer returned no downloadUrl');
  const bytes = await ctx.limit(() => downloadWithRetries(downloadUrl));
  const actual = `sha256:${createHash('sha256').update(bytes).digest('hex')}`;
  if (actual !== configDigest) throw new Error(`the downloaded config blob has digest ${actual}, not ${configDigest}`);
  const doc = JSON.parse(bytes.toString('utf8')) as { config?: { Labels?: unknown } };
  const labels = doc?.config?.Labels;
  return labels && typeof labels === 'object' ? (labels as Record<string, unknown>) : {};
}

/** Attempts per download, as the SDK clients make per call (clientConfig's default). */
const DOWNLOAD_ATTEMPTS = 8;

/**
 * GET the pre-signed URL, retried like an SDK call: throttling (429, 503 SlowDown), other 5xx and
 * dropped or timed-out connections are retried with capped exponential backoff and full jitter, as the
 * SDKs' standard retry strategy does; other statuses fail at once.
 * https://docs.aws.amazon.com/sdkref/latest/guide/feature-retry-behavior.html
 */
async function downloadWithRetries(url: string, attempts = DOWNLOAD_ATTEMPTS): Promise<Buffer> {
  for (let attempt = 1; ; attempt++) {
    let retryable: string;
    try {
      const res = await fetch(url, { signal: AbortSignal.timeout(30_000) });
      if (res.ok) {
        const body = Buffer.from(await res.arrayBuffer());
        if (body.length > MAX_CONFIG_BYTES) throw Object.assign(new Error(`the config blob is ${body.length} bytes, more than an image config can be`), { final: true });
        return body;
      }
      await res.body?.cancel();
      if (res.status !== 429 && res.status < 500) throw Object.assign(new Error(`downloading the config blob failed with HTTP ${res.status}`), { final: true });
      retryable = `HTTP ${res.status}`;
    } catch (err) {
      if ((err as { final?: boolean }).final) throw err;
      retryable = (err as Error).message;
    }
    if (attempt >= attempts) throw new Error(`downloading the config blob failed after ${attempts} attempts (last: ${retryable}); this is a network or S3 fault, not a permission`);
    await new Promise((resolve) => setTimeout(resolve, Math.random() * Math.min(20_000, 100 * 2 ** attempt)));
  }
}
