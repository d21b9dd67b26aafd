/** What to build, independent of which docker front end builds it. */
export interface BuildSpec {
  /** Human name for logs and errors: 'base' or 'app'. */
  name: string;
  context: string;
  dockerfile: string;
  platforms: readonly string[];
  target?: string;
  buildArgs: Record<string, string>;
  labels: Record<string, string>;
  /** OCI manifest annotations; buildx only (see `BuildxFeatures`). */
  annotations: Record<string, string>;
  /** Full references, `host/repo:tag`. The first is the one pushed first. */
  tags: readonly string[];
  /** buildx `--cache-from` / `--cache-to` values, e.g. `type=registry,ref=...` or `type=gha,scope=app`. */
  cacheFrom: readonly string[];
  cacheTo: readonly string[];
  provenance: boolean;
  /** `--network` for RUN steps; `host` where the engine has no bridge network. */
  network?: string;
}

export type BuilderKind = 'buildx' | 'buildkit';

/** True when buildx will push an image index rather than a single manifest. */
export function producesIndex(spec: Pick<BuildSpec, 'platforms' | 'provenance'>): boolean {
  return spec.platforms.length > 1 || spec.provenance;
}

function common(spec: BuildSpec): string[] {
  const args = ['--file', spec.dockerfile, '--platform', spec.platforms.join(','), '--progress=plain'];
  if (spec.target) args.push('--target', spec.target);
  if (spec.network) args.push('--network', spec.network);
  for (const [k, v] of Object.entries(spec.buildArgs)) args.push('--build-arg', `${k}=${v}`);
  for (const [k, v] of Object.entries(spec.labels)) args.push('--label', `${k}=${v}`);
  for (const tag of spec.tags) args.push('--tag', tag);
  return args;
}

/**
 * `docker buildx build ... --push`: one step builds and pushes every tag, and the pushed digest comes back
 * in the metadata file. Attestations are off unless asked for, so ECR receives a single manifest.
 * https://docs.docker.com/reference/cli/docker/buildx/build/
 */
export function buildxArgs(spec: BuildSpec, metadataFile: string): string[] {
  const args = ['buildx', 'build', ...common(spec), '--metadata-file', metadataFile, '--push'];
  args.push(`--provenance=${spec.provenance ? 'mode=max' : 'false'}`);
  if (!spec.provenance) args.push('--sbom=false');
  // Annotations go on each platform manifest; on the index as well when there is one.
  // https://docs.docker.com/build/metadata/annotations/
  const levels = producesIndex(spec) ? ['manifest', 'index'] : ['manifest'];
  for (const [k, v] of Object.entries(spec.annotations)) {
    for (const level of levels) args.push('--annotation', `${level}:${k}=${v}`);
  }
  for (const c of spec.cacheFrom) args.push('--cache-from', c);
  for (const c of spec.cacheTo) args.push('--cache-to', c);
  args.push(spec.context);
  return args;
}

/**
 * `DOCKER_BUILDKIT=1 docker build` for engines without buildx: one platform, no annotations, no
 * exported cache; only `type=registry,ref=X` cache sources survive as `--cache-from X` (inline cache).
 * The image is pushed afterwards, tag by tag.
 */
export function dockerBuildArgs(spec: BuildSpec, iidFile: string): { args: string[]; dropped: string[] } {
  const args = ['build', ...common(spec), '--iidfile', iidFile];
  const dropped: string[] = [];
  for (const c of spec.cacheFrom) {
    const ref = registryCacheRef(c);
    if (ref) args.push('--cache-from', ref);
    else dropped.push(`cache-from ${c}`);
  }
  for (const c of spec.cacheTo) dropped.push(`cache-to ${c}`);
  if (Object.keys(spec.annotations).length > 0) dropped.push('annotations (recorded as labels instead)');
  if (spec.provenance) dropped.push('provenance');
  args.push(spec.context);
  return { args, dropped };
}

/** `type=registry,ref=X,...` → X; a bare image reference passes through; anything else → undefined. */
export function registryCacheRef(cache: string): string | undefined {
  if (!cache.includes('=')) return cache;
  const fields = Object.fromEntries(cache.split(',').map((f) => f.split('=', 2) as [string, string]));
  return fields.type === 'registry' && fields.ref ? fields.ref : undefined;
}

export interface PushReport {
  digest?: string;
  pushedLayers: number;
  existingLayers: number;
}

/** Reads `docker push` output: layer lines and the closing `<tag>: digest: sha256:... size: N`. */
export function parsePushOutput(output: string): PushReport {
  let digest: string | undefined;
  let pushedLayers = 0;
  let existingLayers = 0;
  for (const line of output.split(/\r?\n/)) {
    const d = /: digest: (sha256:[0-9a-f]{64}) size: \d+/.exec(line);
    if (d) digest = d[1];
    else if (/^[0-9a-f]{12,}: Pushed\s*$/.test(line)) pushedLayers++;
    else if (/^[0-9a-f]{12,}: (Layer already exists|Mounted from .+)\s*$/.test(line)) existingLayers++;
  }
  return { ...(digest ? { digest } : {}), pushedLayers, existingLayers };
}

/** buildx's metadata file: the pushed manifest (or index) digest. */
export function digestFromMetadata(json: string): string | undefined {
  const meta = JSON.parse(json) as Record<string, unknown>;
  const digest = meta['containerimage.digest'];
  return typeof digest === 'string' && /^sha256:[0-9a-f]{64}$/.test(digest) ? digest : undefined;
}
