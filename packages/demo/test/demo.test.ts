import { describe, expect, it } from '@jest/globals';
import { spawn } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runOrSkip } from '@gantry/local-runner';
import { probeDocker } from '../src/docker.js';

// The demo as a user runs it: a child process (`node --import tsx src/main.ts`), judged by its exit code
// and what it prints. --no-docker makes the release images seeded, so the run is deterministic.
const packageDir = join(import.meta.dirname, '..');

function runDemo(args: string[], env: NodeJS.ProcessEnv = {}): Promise<{ code: number | null; out: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', 'src/main.ts', ...args], {
      cwd: packageDir,
      env: { ...process.env, NO_COLOR: '1', ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    child.stdout.on('data', (c: Buffer) => (out += c.toString()));
    child.stderr.on('data', (c: Buffer) => (out += c.toString()));
    const timer = setTimeout(() => child.kill('SIGKILL'), 290_000);
    child.on('error', reject);
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code, out });
    });
  });
}

/** The printed text of step `n` (from its header to the next one). */
const stepText = (out: string, n: number) => out.split(/━━━ Step /).find((s) => s.startsWith(`${n}/`)) ?? '';

describe('npm run demo -- --no-docker', () => {
  let result: { code: number | null; out: string };

  it('runs every step as expected and exits 0', async () => {
    result = await runDemo(['--no-docker']);
    if (result.code !== 0) console.error(result.out.slice(-6000));
    expect(result.code).toBe(0);
    expect(result.out).toContain("No Docker: --no-docker was given. Release images are seeded into the simulator's ECR instead of built.");
    expect(result.out).toMatch(/✓ Demo complete: \d+ checks passed/);
    expect(result.out).not.toContain('✗');
    expect(result.out).not.toContain('NodeVersionSupportWarning');
  }, 300_000);

  it('migrates first: run-task runs the new web revision with the migration command, streams its log and exits 0', () => {
    const migration = stepText(result.out, 3);
    expect(migration).toContain('✓ registered shop-web:2 for the migration');
    expect(migration).toMatch(/Started task [a-f0-9]+ \(\S+task-definition\/shop-web:2, command: \["php","artisan","migrate","--force"\]\)/);
    expect(migration).toMatch(/Streaming \/ecs\/shop-web ecs\/web\/[a-f0-9]+/);
    for (const line of ['| INFO  Running migrations.', '| 2026_11_01_120000_create_orders_table', '| 2026_11_02_090000_add_status_index_to_orders']) expect(migration).toContain(line);
    expect(migration).toMatch(/Task [a-f0-9]+ finished: container 'web' exited with code 0\./);
    expect(migration).toMatch(/\*\*exit code\*\* \| 0 \|/);
    expect(migration).toMatch(/✓ the migration exited 0 \(task [a-f0-9]+\)/);
    expect(migration).toContain('✓ its 3 log lines were streamed from CloudWatch Logs into the job log');
    expect(migration).toContain('✓ no service deployed before the migration finished (web still on shop-web:1)');
    // The deploy job's render matches the migration's revision: it is reused, not registered again.
    expect(stepText(result.out, 4)).toMatch(/task-definition\/shop-web:2 already matches the rendered definition; reusing it/);
  });

  it('deploys web, worker and websocket independently, each healthy, with the streamed rollout', () => {
    const deploys = stepText(result.out, 4);
    for (const [service, family] of [['web', 'shop-web'], ['worker', 'shop-worker'], ['websocket', 'shop-websocket']]) {
      expect(deploys).toContain(`✓ ${service}: ${family}:2 deployed and healthy`);
      expect(deploys).toContain(`[event] (service ${service}) has reached a steady state.`);
    }
    // register-task-definition pinned the release tag to its digest.
    expect(deploys).toMatch(/web: pinned \S+\/shop\/web:5f0c2a91\S+ → \S+\/shop\/web@sha256:[a-f0-9]{64}/);
    // Summaries are readable: no HTML left.
    expect(result.out).not.toMatch(/<\/?(details|summary|br)\b/);
  });

  it('catches the bad release with its reason and reports the rollback, leaving the other services alone', () => {
    const bad = stepText(result.out, 5);
    expect(bad).toContain('✓ the bad release was caught: deploy-service failed the step (exit 1, status failed)');
    expect(bad).toMatch(/✓ reason reported: Deployment of shop-web:3 to 'web' failed: ECS deployment circuit breaker: tasks failed to start/);
    expect(bad).toMatch(/task [a-f0-9]+ stopped: Essential container in task exited; web: exit code 1/);
    expect(bad).toMatch(/\[circuit breaker\] \d+ of \d+ failed tasks \(TRIGGERED\)/);
    expect(bad).toContain('✓ rollback reported: web is back on shop-web:2');
    expect(bad).toContain('✓ worker untouched (shop-worker:2, 1/1 running)');
    expect(bad).toContain('✓ websocket untouched (shop-websocket:2, 1/1 running)');
  });

  it('shows the incident the guard prevents: verify names the running websocket image the policy would expire', () => {
    const before = stepText(result.out, 6);
    expect(before).toMatch(/✓ verify failed as it should: 3 in-use images would be expired, 1 of them running now \(shop\/websocket@[a-f0-9]{12}\)/);
    expect(before).toMatch(/shop\/websocket\s+5f0c2a91\S+\s+[a-f0-9]{12}\s+IN USE: service shop-production\/websocket/);
  });

  it('has the guard protect every in-use image', () => {
    const guard = stepText(result.out, 7);
    expect(guard).toContain('✓ guard protected 6 in-use images; 3 of them the policy would have expired (fixed now); at risk after the run: 0');
  });

  it('lets the lifecycle run prune only unused images, and every service can still start tasks', () => {
    const lifecycle = stepText(result.out, 8);
    const expiredTable = lifecycle.slice(lifecycle.indexOf('expired:'), lifecycle.indexOf('✓'));
    expect(expiredTable).toMatch(/shop\/web\s+release-41/);
    expect(expiredTable).toMatch(/shop\/worker\s+release-41/);
    // The rollback targets (release-42, release-38) and every running image stay.
    expect(expiredTable).not.toMatch(/release-42|release-38|5f0c2a91|shop\/websocket/);
    expect(lifecycle).toContain('✓ the policy still pruned 2 image(s) nothing uses');
    expect(lifecycle).toContain('✓ lifecycle pruned only unused images');
    expect(lifecycle).toContain("✓ every service's image survived the lifecycle run");
    expect(lifecycle).toMatch(/✓ the replacement websocket task [a-f0-9]+ is RUNNING \(no CannotPullContainerError\)/);
  });

  it('rolls back a blue/green web release that fails its smoke check on the test listener before production traffic moves', () => {
    const bg = stepText(result.out, 9);
    expect(bg).toContain('[stage] POST_TEST_TRAFFIC_SHIFT');
    expect(bg).toMatch(/\[traffic\] test: shop-web-blue 0% \/ shop-web-green 100%/);
    expect(bg).toMatch(/\[smoke\] http:\/\/127\.0\.0\.1:\d+\/checkout: FAILED — expected status 200, got 500/);
    expect(bg).toContain('response: "RuntimeException: No application encryption key has been specified."');
    expect(bg).toContain('✓ Gantry answered the PAUSE hook with ROLLBACK');
    expect(bg).toContain('✓ production traffic never reached release 44 (production listener: 100% blue throughout)');
    expect(bg).toMatch(/✓ ECS agrees: web-blue-green runs shop-web:2/);
  });
});

describe('when something does not work', () => {
  it('names the unavailable action and why, skips what depends on it, and exits non-zero', async () => {
    const empty = await mkdtemp(join(tmpdir(), 'gantry-demo-no-actions-'));
    try {
      const { code, out } = await runDemo(['--no-docker'], { GANTRY_DEMO_ACTIONS: empty });
      expect(code).toBe(1);
      expect(out).toContain(`✗ step unavailable: actions/register-task-definition is unavailable: ${join(empty, 'register-task-definition')}/action.yml does not exist`);
      expect(out).toContain('the remaining steps depend on this one and are skipped');
      expect(out).toMatch(/✗ Demo failed: \d+ of \d+ checks failed/);
      expect(out).not.toContain('Step 4/8');
    } finally {
      await rm(empty, { recursive: true, force: true });
    }
  }, 60_000);

  it('rejects an unknown flag with exit code 2', async () => {
    const { code, out } = await runDemo(['--no-dokcer']);
    expect(code).toBe(2);
    expect(out).toContain('unknown argument(s): --no-dokcer');
  });
});

// With a Docker engine the demo builds and pushes real images with the bundled build-image action. It
// skips with a visible message when no engine is reachable, unless GANTRY_REQUIRE_DOCKER=1 (CI).
const docker = await probeDocker({ disabled: false });

(runOrSkip("the demo's Docker test", docker.available, docker.reason) ? describe : describe.skip)('npm run demo with a Docker engine', () => {
  it('builds and pushes real images with build-image, then runs every step as expected', async () => {
    const { code, out } = await runDemo([]);
    if (code !== 0) console.error(out.slice(-6000));
    expect(code).toBe(0);
    expect(out).toContain(`real images are built with the bundled build-image action and pushed to ${docker.registry}`);
    for (const service of ['web', 'worker', 'websocket']) expect(out).toMatch(new RegExp(`✓ build-image built and pushed ${service} \\(gantry-demo-[a-z0-9]+/${service}@[a-f0-9]{12}, base (built|reused)\\)`));
    expect(out).toContain('✓ the bad release was caught');
    expect(out).toContain('✓ lifecycle pruned only unused images');
    expect(out).toMatch(/✓ Demo complete: \d+ checks passed/);
  }, 300_000);
});
