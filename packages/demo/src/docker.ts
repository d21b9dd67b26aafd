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
 * Whether real images can be built: DOCKER_HOST set, a docker client reaching the engine that can build
 * with BuildKit (the buildx plugin, or a client older than 23.0, whose builtin BuildKit needs no plugin),
 * and an OCI registry answering /v2/ (the simulator's ECR is then backed by it).
 */
export async function probeDocker(options: { disabled: boolean; env?: NodeJS.ProcessEnv }): Promise<DockerProbe> {
  const env = options.env ?? process.env;
  const registry = env.GANTRY_DEMO_REGISTRY ?? env.GANTRY_TEST_REGISTRY ?? '127.0.0.1:5000';
  const candidates = [...new Set([env.GANTRY_DOCKER_CLI, 'docker', '/usr/bin/docker'].filter((c): c is string => !!c))];
  const no = (reason: string): DockerProbe => ({ available: false, reason, binary: candidates[0]!, registry });
  if (options.disabled) return no('--no-docker was given');
  if (!env.DOCKER_HOST) return no('DOCKER_HOST is not set (point it at a Docker engine, with an OCI registry on 127.0.0.1:5000 or GANTRY_DEMO_REGISTRY, to build real images)');
  const problems: string[] = [];
  let binary: string | undefined;
  for (const candidate of candidates) {
    const problem = clientProblem(candidate, env);
    if (!problem) {
      binary = candidate;
      break;
    }
    problems.push(problem);
  }
  if (!binary) return no(problems.join('; '));
  try {
    const res = await fetch(`http://${registry}/v2/`, { signal: AbortSignal.timeout(5_000) });
    if (!res.ok) return no(`the registry at ${registry} answered ${res.status} to /v2/`);
  } catch (err) {
    return no(`no OCI registry answers at ${registry} (${(err as Error).message}); set GANTRY_DEMO_REGISTRY to use another`);
  }
  return { available: true, reason: '', binary, registry };
}

/** Why this docker client cannot build here, or undefined when it can. */
function clientProblem(binary: string, env: NodeJS.ProcessEnv): string | undefined {
  const probe = spawnSync(binary, ['version', '--format', '{{.Client.Version}}|{{.Server.Version}}'], { encoding: 'utf8', timeout: 15_000, env });
  if (probe.error && (probe.error as NodeJS.ErrnoException).code === 'ENOENT') return `no ${binary} client`;
  if (probe.status !== 0) return `\`${binary} version\` cannot reach the engine at ${env.DOCKER_HOST} (${(probe.stderr || probe.error?.message || '').trim().split('\n')[0]})`;
  const client = probe.stdout.trim().split('|')[0] ?? '';
  if (spawnSync(binary, ['buildx', 'version'], { encoding: 'utf8', timeout: 15_000, env }).status === 0) return undefined;
  const major = Number(client.split('.')[0]);
  if (major > 0 && major < 23) return undefined;
  return `${binary} (client ${client}) has no buildx plugin, which BuildKit builds need since Docker 23`;
}
