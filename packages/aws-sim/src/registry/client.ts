/**
 * A small client for the OCI distribution API (the Docker registry HTTP API v2), enough to mirror a
 * registry into the ECR API: catalog, tags, manifests (HEAD/GET/PUT/DELETE) and monolithic blob upload.
 * https://github.com/opencontainers/distribution-spec/blob/main/spec.md
 * https://distribution.github.io/distribution/spec/api/
 */
import { MANIFEST_MEDIA_TYPES, sha256Digest } from '../ecr/manifest.js';

export interface ManifestHead {
  digest: string;
  mediaType: string;
  size: number;
}

export interface FetchedManifest extends ManifestHead {
  text: string;
}

export class RegistryError extends Error {
  constructor(
    message: string,
    readonly status: number,
  ) {
    super(message);
  }
}

export class RegistryClient {
  readonly base: string;
  /** host[:port], how image references name this registry. */
  readonly host: string;

  constructor(url: string) {
    this.base = url.replace(/\/+$/, '');
    this.host = new URL(this.base).host;
  }

  /** Whether a v2 registry answers at all. */
  async ping(timeoutMs = 1500): Promise<boolean> {
    try {
      const res = await fetch(`${this.base}/v2/`, { signal: AbortSignal.timeout(timeoutMs) });
      await res.arrayBuffer();
      return res.status === 200 || res.status === 401;
    } catch {
      return false;
    }
  }

  /** Every repository name, following the `Link` header's pagination. */
  async catalog(): Promise<string[]> {
    const names: string[] = [];
    let next: string | undefined = `/v2/_catalog?n=1000`;
    while (next) {
      const res = await this.request('GET', next);
      const body = (await res.json()) as { repositories?: string[] };
      names.push(...(body.repositories ?? []));
      next = /<([^>]+)>;\s*rel="next"/.exec(res.headers.get('link') ?? '')?.[1];
    }
    return names;
  }

  /** Tags of a repository; [] when the registry no longer knows the repository. */
  async tags(repository: string): Promise<string[]> {
    const res = await this.request('GET', `/v2/${repository}/tags/list`, { okStatuses: [404] });
    if (res.status === 404) return (await res.arrayBuffer(), []);
    const body = (await res.json()) as { tags?: string[] | null };
    return body.tags ?? [];
  }

  async headManifest(repository: string, reference: string): Promise<ManifestHead | undefined> {
    const res = await this.request('HEAD', `/v2/${repository}/manifests/${reference}`, { accept: true, okStatuses: [404] });
    await res.arrayBuffer();
    if (res.status === 404) return undefined;
    return { digest: res.headers.get('docker-content-digest') ?? '', mediaType: contentType(res), size: Number(res.headers.get('content-length') ?? 0) };
  }

  async getManifest(repository: string, reference: string): Promise<FetchedManifest | undefined> {
    const res = await this.request('GET', `/v2/${repository}/manifests/${reference}`, { accept: true, okStatuses: [404] });
    const bytes = Buffer.from(await res.arrayBuffer());
    if (res.status === 404) return undefined;
    const text = bytes.toString('utf8');
    // The registry sends Docker-Content-Digest; the hash of the exact bytes is the same by definition.
    return { text, digest: res.headers.get('docker-content-digest') ?? sha256Digest(bytes), mediaType: contentType(res), size: bytes.length };
  }

  /** PUT /v2/<name>/manifests/<reference>; returns the digest the registry computed. */
  async putManifest(repository: string, reference: string, text: string, mediaType: string): Promise<string> {
    const res = await this.request('PUT', `/v2/${repository}/manifests/${reference}`, { body: text, contentType: mediaType });
    await res.arrayBuffer();
    return res.headers.get('docker-content-digest') ?? sha256Digest(text);
  }

  /** DELETE /v2/<name>/manifests/<digest> (the registry must run with delete enabled). */
  async deleteManifest(repository: string, digest: string): Promise<boolean> {
    const res = await this.request('DELETE', `/v2/${repository}/manifests/${digest}`, { okStatuses: [404] });
    await res.arrayBuffer();
    return res.status !== 404;
  }

  /** `GET` URL of a blob: /v2/<name>/blobs/<digest> (the registry may redirect it to its storage). */
  blobUrl(repository: string, digest: string): string {
    return `${this.base}/v2/${repository}/blobs/${digest}`;
  }

  async hasBlob(repository: string, digest: string): Promise<boolean> {
    const res = await this.request('HEAD', `/v2/${repository}/blobs/${digest}`, { okStatuses: [404] });
    await res.arrayBuffer();
    return res.status !== 404;
  }

  /** Uploads a blob unless the registry already has it: POST to open an upload, PUT with ?digest= to finish. */
  async uploadBlob(repository: string, digest: string, bytes: Buffer): Promise<void> {
    const head = await this.request('HEAD', `/v2/${repository}/blobs/${digest}`, { okStatuses: [404] });
    await head.arrayBuffer();
    if (head.status === 200) return;
    const start = await this.request('POST', `/v2/${repository}/blobs/uploads/`);
    await start.arrayBuffer();
    const location = start.headers.get('location');
    if (!location) throw new RegistryError('the registry did not return an upload location', start.status);
    const url = new URL(location, this.base);
    url.searchParams.set('digest', digest);
    const done = await this.request('PUT', url.pathname + url.search, { body: bytes, contentType: 'application/octet-stream' });
    await done.arrayBuffer();
  }

  private async request(
    method: string,
    path: string,
    options: { accept?: boolean; body?: string | Buffer; contentType?: string; okStatuses?: number[] } = {},
  ): Promise<Response> {
    const headers: Record<string, string> = {};
    if (options.accept) headers.accept = MANIFEST_MEDIA_TYPES.join(', ');
    if (options.contentType) headers['content-type'] = options.contentType;
    const res = await fetch(path.startsWith('http') ? path : `${this.base}${path}`, { method, headers, body: options.body });
    if (res.ok || options.okStatuses?.includes(res.status)) return res;
    const detail = await res.text().catch(() => '');
    throw new RegistryError(`${method} ${path} failed with HTTP ${res.status}: ${detail.slice(0, 300)}`, res.status);
  }
}

function contentType(res: Response): string {
  return (res.headers.get('content-type') ?? '').split(';')[0]!.trim();
}
