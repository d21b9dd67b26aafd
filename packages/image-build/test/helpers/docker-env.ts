import { spawnSync } from 'node:child_process';

/**
 * Whether the docker tests can run here. Without an engine they skip with a visible message, unless
 * GANTRY_REQUIRE_DOCKER=1 (CI), where they must run and therefore fail.
 */
export function dockerTestEnv() {
  const binary = process.env.GANTRY_DOCKER_CLI ?? '/usr/bin/docker';
  const registry = process.env.GANTRY_TEST_REGISTRY ?? '127.0.0.1:5000';
  const required = process.env.GANTRY_REQUIRE_DOCKER === '1';
  const probe = spawnSync(binary, ['version', '--format', '{{.Server.Version}}'], { encoding: 'utf8', timeout: 15_000 });
  let registryUp = false;
  if (probe.status === 0) {
    const curl = spawnSync('curl', ['-fsS', '-o', '/dev/null', `http://${registry}/v2/`], { timeout: 5_000 });
    registryUp = curl.status === 0;
  }
  const available = probe.status === 0 && registryUp;
  const reason = probe.status !== 0 ? `no Docker engine reachable with ${binary} (${(probe.stderr || probe.error?.message || '').trim().split('\n')[0]})` : `no registry at ${registry}`;
  if (!available && !required) {
    console.warn(`SKIPPING docker tests: ${reason}. Set GANTRY_REQUIRE_DOCKER=1 to make this a failure.`);
  }
  return { binary, registry, required, available, reason, run: available || required };
}
