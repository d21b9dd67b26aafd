import { spawnSync } from 'node:child_process';

export interface DockerProbe {
  available: boolean;
  /** Why Docker is not used, in one sentence (when not available). */
  reason: string;
  binary: string;
  /** host:port of the OCI registry the simulator's ECR is backed by. */
  registry: string;
}

/**
 * Whether real images can be built: DOCKER_HOST set, `docker version` reaching the engine, and an OCI
 * registry answering /v2/ (the simulator's ECR is backed by it in that case).
 */
export async function probeDocker(options: { disabled: boolean; env?: NodeJS.ProcessEnv }): Promise<DockerProbe> {
  const env = options.env ?? process.env;
  const binary = env.GANTRY_DOCKER_CLI ?? 'docker';
  const registry = env.GANTRY_DEMO_REGISTRY ?? env.GANTRY_TEST_REGISTRY ?? '127.0.0.1:5000';
  const no = (reason: string): DockerProbe => ({ available: false, reason, binary, registry });
  if (options.disabled) return no('--no-docker was given');
  if (!env.DOCKER_HOST) return no('DOCKER_HOST is not set');
  const probe = spawnSync(binary, ['version', '--format', '{{.Server.Version}}'], { encoding: 'utf8', timeout: 15_000, env });
  if (probe.status !== 0) {
    const why = (probe.stderr || probe.error?.message || `exit code ${probe.status}`).trim().split('\n')[0];
    return no(`\`${binary} version\` cannot reach the engine at ${env.DOCKER_HOST} (${why})`);
  }
  try {
    const res = await fetch(`http://${registry}/v2/`, { signal: AbortSignal.timeout(5_000) });
    if (!res.ok) return no(`the registry at ${registry} answered ${res.status} to /v2/`);
  } catch (err) {
    return no(`no OCI registry answers at ${registry} (${(err as Error).message}); set GANTRY_DEMO_REGISTRY to use another`);
  }
  return { available: true, reason: '', binary, registry };
}
