import { createHash } from 'node:crypto';
import { gzipSync } from 'node:zlib';

/**
 * Manifest media types ECR stores and serves. The OCI ones come from the OCI image spec; the Docker ones
 * from the Docker image manifest v2 schema 2.
 * https://docs.aws.amazon.com/AmazonECR/latest/APIReference/API_BatchGetImage.html (acceptedMediaTypes)
 */
export const MEDIA = {
  ociManifest: 'application/vnd.oci.image.manifest.v1+json',
  ociIndex: 'application/vnd.oci.image.index.v1+json',
  ociConfig: 'application/vnd.oci.image.config.v1+json',
  ociLayerGzip: 'application/vnd.oci.image.layer.v1.tar+gzip',
  dockerManifest: 'application/vnd.docker.distribution.manifest.v2+json',
  dockerList: 'application/vnd.docker.distribution.manifest.list.v2+json',
  dockerV1: 'application/vnd.docker.distribution.manifest.v1+json',
} as const;

export const MANIFEST_MEDIA_TYPES: string[] = [MEDIA.ociManifest, MEDIA.ociIndex, MEDIA.dockerManifest, MEDIA.dockerList];

export const isIndexMediaType = (mediaType: string | undefined) => mediaType === MEDIA.ociIndex || mediaType === MEDIA.dockerList;

export function sha256Digest(bytes: string | Buffer): string {
  return `sha256:${createHash('sha256').update(bytes).digest('hex')}`;
}

export const DIGEST_PATTERN = /^sha256:[a-f0-9]{64}$/;

/** What the simulator reads out of a manifest: its type, size, children (for an index) and subject. */
export interface ManifestInfo {
  mediaType: string;
  /** ECR's artifactMediaType: the config media type (or OCI artifactType). */
  artifactMediaType?: string;
  /** Sum of config and layer sizes; for an index, the largest child size is filled in later. */
  sizeBytes: number;
  children: string[];
  subjectDigest?: string;
  annotations: Record<string, string>;
  /** Digests of the config and layer blobs an image manifest references (none for an index). */
  blobs: string[];
}

/**
 * Parses a manifest's JSON. `declared` is the media type the caller sent (PutImage's
 * imageManifestMediaType or the registry's Content-Type) and wins over a missing `mediaType` field.
 * Throws on text that is not a JSON object.
 */
export function readManifest(text: string, declared?: string): ManifestInfo {
  const doc = JSON.parse(text) as Record<string, any>;
  if (!doc || typeof doc !== 'object' || Array.isArray(doc)) throw new Error('manifest is not a JSON object');
  const mediaType: string = doc.mediaType ?? declared ?? (Array.isArray(doc.manifests) ? MEDIA.ociIndex : MEDIA.ociManifest);
  const children = Array.isArray(doc.manifests) ? doc.manifests.map((m: any) => String(m?.digest ?? '')).filter(Boolean) : [];
  const layers: any[] = Array.isArray(doc.layers) ? doc.layers : [];
  const sizeBytes = (Number(doc.config?.size) || 0) + layers.reduce((sum, l) => sum + (Number(l?.size) || 0), 0);
  const blobs = [doc.config?.digest, ...layers.map((l) => l?.digest)].filter((d): d is string => typeof d === 'string' && d.length > 0);
  return {
    mediaType,
    artifactMediaType: doc.artifactType ?? doc.config?.mediaType,
    sizeBytes,
    children,
    subjectDigest: doc.subject?.digest,
    annotations: doc.annotations && typeof doc.annotations === 'object' ? doc.annotations : {},
    blobs,
  };
}

export interface SeedManifestInput {
  repositoryName: string;
  /** Makes each seeded image unique (two seeds never share a digest). */
  nonce: string;
  createdAt: Date;
  platform?: string;
  sizeBytes?: number;
  baseDigest?: string;
  baseName?: string;
  /**
   * Where the base image is recorded: manifest annotations (docker buildx), config labels (plain BuildKit
   * `docker build --label`, which cannot write annotations), or both (default).
   */
  baseIn?: BaseRecord;
}

export type BaseRecord = 'both' | 'annotations' | 'labels';

export interface Blob {
  digest: string;
  mediaType: string;
  bytes: Buffer;
}

export interface SeededManifest {
  manifest: string;
  mediaType: string;
  digest: string;
  config: Blob;
  layer: Blob;
  sizeBytes: number;
}

/**
 * Builds a real, pullable-shaped OCI image: a gzip'd tar layer holding one small file, a config whose
 * rootfs.diff_ids names that layer, and a manifest pointing at both. The base image is recorded under the
 * keys the OCI image spec defines for that purpose (org.opencontainers.image.base.digest / .base.name), as
 * manifest annotations and/or config labels (`config.Labels`, where `docker build --label` puts them).
 */
export function buildSeedManifest(input: SeedManifestInput): SeededManifest {
  const [os = 'linux', architecture = 'amd64'] = (input.platform ?? 'linux/amd64').split('/');
  const tar = tarWithOneFile('gantry-seed.txt', `${input.repositoryName} ${input.nonce}\n`);
  const layerBytes = gzipSync(tar, { level: 1 });
  const layer: Blob = { digest: sha256Digest(layerBytes), mediaType: MEDIA.ociLayerGzip, bytes: layerBytes };
  const base: Record<string, string> = {};
  if (input.baseDigest) {
    base['org.opencontainers.image.base.digest'] = input.baseDigest;
    base['org.opencontainers.image.base.name'] = input.baseName ?? 'unknown';
  }
  const baseIn = input.baseIn ?? 'both';
  const labels = baseIn === 'annotations' ? {} : base;
  const configDoc = {
    created: input.createdAt.toISOString(),
    architecture,
    os,
    config: { Cmd: ['/bin/sh'], ...(Object.keys(labels).length > 0 ? { Labels: labels } : {}) },
    rootfs: { type: 'layers', diff_ids: [sha256Digest(tar)] },
  };
  const configBytes = Buffer.from(JSON.stringify(configDoc));
  const config: Blob = { digest: sha256Digest(configBytes), mediaType: MEDIA.ociConfig, bytes: configBytes };
  // A requested size is carried by the layer descriptor so DescribeImages and the manifest agree.
  const layerSize = input.sizeBytes !== undefined ? Math.max(1, input.sizeBytes - configBytes.length) : layerBytes.length;
  const annotations: Record<string, string> = { 'org.opencontainers.image.created': input.createdAt.toISOString(), ...(baseIn === 'labels' ? {} : base) };
  const manifestDoc = {
    schemaVersion: 2,
    mediaType: MEDIA.ociManifest,
    config: { mediaType: config.mediaType, digest: config.digest, size: configBytes.length },
    layers: [{ mediaType: layer.mediaType, digest: layer.digest, size: layerSize }],
    annotations,
  };
  const manifest = JSON.stringify(manifestDoc);
  return { manifest, mediaType: MEDIA.ociManifest, digest: sha256Digest(manifest), config, layer, sizeBytes: configBytes.length + layerSize };
}

/** A POSIX ustar archive with one regular file (enough for a real layer; no library needed). */
function tarWithOneFile(name: string, content: string): Buffer {
  const body = Buffer.from(content);
  const header = Buffer.alloc(512, 0);
  header.write(name, 0, 100, 'utf8');
  header.write('0000644\0', 100, 8, 'ascii');
  header.write('0000000\0', 108, 8, 'ascii');
  header.write('0000000\0', 116, 8, 'ascii');
  header.write(body.length.toString(8).padStart(11, '0') + '\0', 124, 12, 'ascii');
  header.write('00000000000\0', 136, 12, 'ascii');
  header.write('        ', 148, 8, 'ascii');
  header.write('0', 156, 1, 'ascii');
  header.write('ustar\0' + '00', 257, 8, 'ascii');
  let sum = 0;
  for (const byte of header) sum += byte;
  header.write(sum.toString(8).padStart(6, '0') + '\0 ', 148, 8, 'ascii');
  const padded = Buffer.alloc(Math.ceil(body.length / 512) * 512, 0);
  body.copy(padded);
  return Buffer.concat([header, padded, Buffer.alloc(1024, 0)]);
}
