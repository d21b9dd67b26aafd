import { spawnSync } from 'node:child_process';

/**
 * The one reading of GANTRY_REQUIRE_DOCKER, for every test that needs a Docker engine or an OCI registry.
 * `1` (CI sets it in .ci/run): such tests must run, and a missing engine or registry is a failure.
 * Unset, empty or `0`: they skip with a visible message where the engine or registry is missing.
 * Any other value is a mistake and throws, so a typo cannot turn CI's integration tests into skips.
 */
export function dockerRequired(env: Record<string, string | undefined> = process.env): boolean {
  const value = env.GANTRY_REQUIRE_DOCKER;
  if (value === undefined || value === '' || value === '0') return false;
  if (value === '1') return true;
  throw new Error(`GANTRY_REQUIRE_DOCKER is '${value}': set it to 1 (Docker-backed tests must run) or 0 / leave it unset (they may skip)`);
}

/**
 * Whether the suite `what` runs: yes when what it needs is `available`; otherwise a failure (thrown when
 * the test file loads) if Docker is required, else a skip with the reason printed.
 */
export function runOrSkip(what: string, available: boolean, reason: string): boolean {
  if (available) return true;
  if (dockerRequired()) throw new Error(`GANTRY_REQUIRE_DOCKER=1 but ${reason}: ${what} cannot run`);
  console.warn(`SKIPPING ${what}: ${reason}. Set GANTRY_REQUIRE_DOCKER=1 to make this a failure.`);
  return false;
}

/** The Docker CLI and registry the Docker-backed tests use (GANTRY_DOCKER_CLI, GANTRY_TEST_REGISTRY), and whether both answer. */
export function dockerTestEnv(what = 'docker tests') {
  const binary = process.env.GANTRY_DOCKER_CLI ?? '/usr/bin/docker';
  const registry = process.env.GANTRY_TEST_REGISTRY ?? '127.0.0.1:5000';
  const probe = spawnSync(binary, ['version', '--format', '{{.Server.Version}}'], { encoding: 'utf8', timeout: 15_000 });
  const registryUp = probe.status === 0 && spawnSync('curl', ['-fsS', '-o', '/dev/null', `http://${registry}/v2/`], { timeout: 5_000 }).status === 0;
  const available = probe.status === 0 && registryUp;
  const reason = probe.status !== 0 ? `no Docker engine reachable with ${binary} (${(probe.stderr || probe.error?.message || '').trim().split('\n')[0]})` : `no registry at ${registry}`;
  return { binary, registry, available, reason, run: runOrSkip(what, available, reason) };
}
