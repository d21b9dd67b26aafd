const ACCEPT = [
  'application/vnd.oci.image.index.v1+json',
  'application/vnd.docker.distribution.manifest.list.v2+json',
  'application/vnd.oci.image.manifest.v1+json',
  'application/vnd.docker.distribution.manifest.v2+json',
].join(', ');

/** GET a manifest (by tag or digest) from the registry's v2 API; undefined when it does not exist. */
export async function registryManifest(registry: string, repository: string, reference: string) {
  const response = await fetch(`http://${registry}/v2/${repository}/manifests/${reference}`, { headers: { accept: ACCEPT } });
  if (response.status === 404) return undefined;
  if (!response.ok) throw new Error(`registry answered ${response.status} for ${repository}:${reference}`);
  const manifest = (await response.json()) as { config?: { digest: string; size: number }; layers?: { digest: string; size: number }[]; annotations?: Record<string, string> };
  return { digest: response.headers.get('docker-content-digest')!, manifest };
}

export async function registryBlobJson<T>(registry: string, repository: string, digest: string): Promise<T> {
  const response = await fetch(`http://${registry}/v2/${repository}/blobs/${digest}`);
  if (!response.ok) throw new Error(`registry answered ${response.status} for blob ${digest}`);
  return (await response.json()) as T;
}
