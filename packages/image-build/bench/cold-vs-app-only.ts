// Cold build (base + app) vs app-only rebuild vs lockfile change, on a fixture whose base is deliberately
// heavy, in the combined form (one call builds both) and the split form (a `build: base` job, then a
// `build: app` job given the base's digest), plus the split app job on a fresh engine, which has to pull
// the base. bench/build.ts at the repository root runs this and reads the "<step>: N s" lines.
// ECR's API is @gantry/aws-sim in registry mode over the real registry; the fresh engine is a second
// dockerd started here (needs root and dockerd on PATH) and stopped by PID.
//   DOCKER_HOST=... GANTRY_DOCKER_CLI=/usr/bin/docker node --import tsx bench/cold-vs-app-only.ts
// Goal from the issue: the app-only rebuild takes under 10% of the cold build. A lockfile change must
// rebuild the base (its hash covers composer.lock), so it costs about a cold build: shown for context.
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { buildImages, spawnDockerCli, type BuildImagesOptions } from '../src/index.js';
import { startEngine } from '../test/helpers/engines.js';
import { simulatedEcr } from '../test/helpers/simulator-ecr.js';
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

const { sim, ecr, createRepository } = await simulatedEcr(registry);
const repository = uniqueRepository('bench-web');
await createRepository(repository);
const options: BuildImagesOptions = {
  rootDir: root,
  repository,
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
const cli = process.env.GANTRY_DOCKER_CLI ?? '/usr/bin/docker';
const deps = {
  ecr,
  docker: spawnDockerCli({ binary: cli, env: { ...process.env, DOCKER_CONFIG: dockerConfig } }),
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
const facts = (b: Built) => `(base rebuilt: ${b.base.rebuilt}, layers pushed: ${b.app?.pushedLayers})`;
const sha = (n: number) => `${n.toString(16).padStart(2, '0')}b2c3d4e5f60718293a4b5c6d7e8f9012345678`;
/** The split form: a base job, then an app job given the base by digest (jobs run one after the other). */
const splitRun = async (commit: number, appDeps = deps) => {
  const base = await time(() => buildImages({ ...options, build: 'base', commitSha: sha(commit) }, deps));
  const app = await time(() => buildImages({ ...options, build: 'app', base: undefined, baseImage: (base.result as Built).base.image, commitSha: sha(commit) }, appDeps));
  return { ms: base.ms + app.ms, baseMs: base.ms, appMs: app.ms, base: base.result as Built, app: app.result as Built };
};
const split = (r: Awaited<ReturnType<typeof splitRun>>) => `(base job ${(r.baseMs / 1000).toFixed(1)} s, base rebuilt: ${r.base.base.rebuilt}; app job ${(r.appMs / 1000).toFixed(1)} s, layers pushed: ${r.app.app?.pushedLayers})`;
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

  // Split form, same engine (warm, as one runner running both jobs). A new base NONCE makes it cold again.
  options.base = { ...options.base!, buildArgs: { NONCE: `split-${Date.now()}` } };
  const splitCold = await splitRun(0xd1);
  console.log(`split cold build (base job + app job): ${(splitCold.ms / 1000).toFixed(1)} s  ${split(splitCold)}`);
  await writeFile(join(root, 'src/index.php'), `<?php echo "split ${Date.now()}";`);
  const splitApp = await splitRun(0xd2);
  console.log(`split app-only rebuild (base job skips): ${(splitApp.ms / 1000).toFixed(1)} s  ${split(splitApp)}`);
  console.log(`split ratio:                     ${((100 * splitApp.ms) / splitCold.ms).toFixed(1)} % (goal < 10 %)`);
  await writeFile(join(root, 'composer.lock'), JSON.stringify({ packages: [{ name: 'laravel/framework', version: 'v11.0.2' }] }) + '\n');
  const splitLock = await splitRun(0xd3);
  console.log(`split lockfile change:           ${(splitLock.ms / 1000).toFixed(1)} s  ${split(splitLock)}`);

  // The app job on a fresh engine (another runner): empty image store and build cache, so it pulls the base.
  const fresh = await startEngine(cli);
  try {
    const freshConfig = await mkdtemp(join(tmpdir(), 'gantry-bench-docker-'));
    const freshDeps = { ...deps, docker: spawnDockerCli({ binary: cli, env: { ...process.env, DOCKER_HOST: fresh.host, DOCKER_CONFIG: freshConfig } }) };
    await writeFile(join(root, 'src/index.php'), `<?php echo "fresh ${Date.now()}";`);
    const freshRun = await splitRun(0xd4, freshDeps);
    console.log(`split app-only on a fresh engine (pulls the base): ${(freshRun.ms / 1000).toFixed(1)} s  ${split(freshRun)}`);
    await rm(freshConfig, { recursive: true, force: true });
  } finally {
    await fresh.stop();
  }
} finally {
  await sim.stop();
  await rm(root, { recursive: true, force: true });
  await rm(dockerConfig, { recursive: true, force: true });
}
