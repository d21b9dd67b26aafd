// Cold build (base + app) vs app-only rebuild on a fixture whose base is deliberately heavy.
//   DOCKER_HOST=... GANTRY_DOCKER_CLI=/usr/bin/docker node --import tsx bench/cold-vs-app-only.ts
// Goal from the issue: the app-only rebuild takes under 10% of the cold build.
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
// Stands in for apt-get + pecl + composer install: a long RUN and tens of MB of vendor files. A nonce
// keeps BuildKit's local cache from making the "cold" build warm.
await writeFile(
  join(root, 'docker/base.Dockerfile'),
  [
    'FROM scratch',
    'COPY busybox /bin/busybox',
    'RUN ["/bin/busybox", "--install", "-s", "/bin"]',
    'ARG NONCE',
    `RUN echo "$NONCE" > /nonce && sleep ${heavySeconds} && mkdir -p /opt && dd if=/dev/urandom of=/opt/vendor.bin bs=1M count=48 2>/dev/null`,
    'COPY composer.lock /app/composer.lock',
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
try {
  const cold = await time(() => buildImages(options, deps));
  await writeFile(join(root, 'src/index.php'), `<?php echo "${Date.now()}";`);
  const warm = await time(() => buildImages({ ...options, commitSha: 'b1b2c3d4e5f60718293a4b5c6d7e8f9012345678' }, deps));
  const w = warm.result as Awaited<ReturnType<typeof buildImages>>;
  console.log(`cold build (base + app):  ${(cold.ms / 1000).toFixed(1)} s`);
  console.log(`app-only rebuild:         ${(warm.ms / 1000).toFixed(1)} s  (base rebuilt: ${w.base.rebuilt}, layers pushed: ${w.app.pushedLayers})`);
  console.log(`ratio:                    ${((100 * warm.ms) / cold.ms).toFixed(1)} % (goal < 10 %)`);
} finally {
  await rm(root, { recursive: true, force: true });
  await rm(dockerConfig, { recursive: true, force: true });
}
