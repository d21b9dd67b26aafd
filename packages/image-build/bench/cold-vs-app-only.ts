// Cold build (base + app) vs app-only rebuild vs lockfile change, on a fixture whose base is deliberately
// heavy. bench/build.ts at the repository root runs this and reads the "<step>: N s" lines.
//   DOCKER_HOST=... GANTRY_DOCKER_CLI=/usr/bin/docker node --import tsx bench/cold-vs-app-only.ts
// Goal from the issue: the app-only rebuild takes under 10% of the cold build. A lockfile change must
// rebuild the base (its hash covers composer.lock), so it costs about a cold build: shown for context.
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { buildImages, spawnDockerCli, type BuildImagesOptions } from '../src/index.js';
import { registryBackedEcr } from '../test/helpers/registry-ecr.js';
import { fixtureWorkspace, uniqueRepository } from '../test/helpers/workspace.js';

const registry = process.env.GANTRY_TEST_REGISTRY ?? '127.0.0.1:5000';
const heavySeconds = Number(process.env.HEAVY_SECONDS ?? 20);
const root = await fixtureWorkspace();
const dockerConfig = await mkdtemp(join(tmpdir(), 'gantry-bench-docker-'));
// Stands in for apt-get + pecl + composer install: a long RUN and tens of MB of vendor files, after the
// lockfile is copied in, as `composer install` needs it. A nonce keeps BuildKit's local cache from making
// the "cold" build warm; a lockfile change invalidates the heavy step as it would in a real base.
await writeFile(
  join(root, 'docker/base.Dockerfile'),
  [
    'FROM scratch',
    'COPY busybox /bin/busybox',
    'RUN ["/bin/busybox", "--install", "-s", "/bin"]',
    'ARG NONCE',
    'COPY composer.lock /app/composer.lock',
    `RUN echo "$NONCE" > /nonce && sleep ${heavySeconds} && mkdir -p /opt && dd if=/dev/urandom of=/opt/vendor.bin bs=1M count=48 2>/dev/null`,
    '',
  ].join('\n'),
);

const options: BuildImagesOptions = {
  rootDir: root,
  repository: uniqueRepository('bench-web'),
  app: { context: '.', dockerfile: 'docker/app.Dockerfile', buildArgs: {}, cacheFrom: [], cacheTo: [] },
  base: { context: '.', dockerfile: 'docker/base.Dockerfile', buildArgs: { NONCE: `${Date.now()}` }, cacheFrom: [], cacheTo: [], hashFiles: ['composer.lock'] },
  platforms: ['linux/amd64'],
  commitSha: 'a1b2c3d4e5f60718293a4b5c6d7e8f9012345678',
  extraTags: [],
  provenance: false,
  createRepositories: false,
  repositorySettings: { scanOnPush: false, tagImmutability: 'MUTABLE' },
  network: 'host',
};
const deps = {
  ecr: registryBackedEcr(registry, 'bench'),
  docker: spawnDockerCli({ binary: process.env.GANTRY_DOCKER_CLI ?? '/usr/bin/docker', env: { ...process.env, DOCKER_CONFIG: dockerConfig } }),
  clock: { now: () => new Date() },
  logger: { info: () => {}, warning: (l: string) => console.warn(l) },
  mask: () => {},
};

const time = async (fn: () => Promise<unknown>) => {
  const t = performance.now();
  const result = await fn();
  return { ms: performance.now() - t, result };
};
type Built = Awaited<ReturnType<typeof buildImages>>;
const facts = (b: Built) => `(base rebuilt: ${b.base.rebuilt}, layers pushed: ${b.app.pushedLayers})`;
try {
  const cold = await time(() => buildImages(options, deps));
  console.log(`cold build (base + app):         ${(cold.ms / 1000).toFixed(1)} s`);
  await writeFile(join(root, 'src/index.php'), `<?php echo "${Date.now()}";`);
  const appOnly = await time(() => buildImages({ ...options, commitSha: 'b1b2c3d4e5f60718293a4b5c6d7e8f9012345678' }, deps));
  console.log(`app-only rebuild:                ${(appOnly.ms / 1000).toFixed(1)} s  ${facts(appOnly.result as Built)}`);
  console.log(`ratio:                           ${((100 * appOnly.ms) / cold.ms).toFixed(1)} % (goal < 10 %)`);
  // A dependency update: the base's hash covers composer.lock, so the base is rebuilt (heavy step and all).
  await writeFile(join(root, 'composer.lock'), JSON.stringify({ packages: [{ name: 'laravel/framework', version: 'v11.0.1' }] }) + '\n');
  const lockfile = await time(() => buildImages({ ...options, commitSha: 'c1b2c3d4e5f60718293a4b5c6d7e8f9012345678' }, deps));
  const l = lockfile.result as Built;
  if (!l.base.rebuilt) console.warn('the base was not rebuilt after composer.lock changed: its hash does not cover the lockfile');
  console.log(`lockfile change (composer.lock): ${(lockfile.ms / 1000).toFixed(1)} s  ${facts(l)}`);
  console.log(`lockfile ratio:                  ${((100 * lockfile.ms) / cold.ms).toFixed(1)} % of the cold build`);
} finally {
  await rm(root, { recursive: true, force: true });
  await rm(dockerConfig, { recursive: true, force: true });
}
