const ACCEPT = 'application/vnd.oci.image.manifest.v1+json, application/vnd.docker.distribution.manifest.v2+json, application/vnd.oci.image.index.v1+json, application/vnd.docker.distribution.manifest.list.v2+json';

/** The image config (os, architecture, labels) of `repository@reference`, read from the registry's v2 API. */
export async function registryImageConfig(registry: string, repository: string, reference: string) {
  const manifest = await fetch(`http://${registry}/v2/${repository}/manifests/${reference}`, { headers: { accept: ACCEPT } });
  if (!manifest.ok) throw new Error(`registry answered ${manifest.status} for ${repository}@${reference}`);
  const body = (await manifest.json()) as { config: { digest: string } };
  const config = await fetch(`http://${registry}/v2/${repository}/blobs/${body.config.digest}`);
  return (await config.json()) as { os: string; architecture: string; config: { Labels?: Record<string, string> } };
}
