import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { GetLifecyclePolicyPreviewCommand, PutLifecyclePolicyCommand, StartLifecyclePolicyPreviewCommand } from '@aws-sdk/client-ecr';
import { StopTaskCommand } from '@aws-sdk/client-ecs';
import { runBundled } from './actions.js';
import { CLUSTER, SERVICES, expectThat, repositoryOf, type Demo, type ServiceName } from './context.js';
import { listImages, serviceImageDigests, serviceTasks, userTags, waitFor } from './inspect.js';
import { bold, indent, keyLogLines, note, red, renderSummary, shortDigest, table } from './print.js';

/** The rule a platform team writes to keep storage in check; it knows nothing about ECS. */
export const KEEP_TWO = {
  rules: [{ rulePriority: 1, description: 'keep the 2 newest images', selection: { tagStatus: 'any', countType: 'imageCountMoreThan', countNumber: 2 }, action: { type: 'expire' } }],
};

const appRepositories = (demo: Demo) => SERVICES.map((s) => ({ service: s.name, repository: repositoryOf(demo, s.name) }));

/** Which service runs each digest now. */
async function runningImages(demo: Demo): Promise<Map<string, ServiceName>> {
  const byDigest = new Map<string, ServiceName>();
  for (const s of SERVICES) for (const digest of await serviceImageDigests(demo, s.name)) byDigest.set(digest, s.name);
  return byDigest;
}

/**
 * CI keeps pushing websocket images (pull request builds) that are never deployed, then the lifecycle
 * policy arrives. ECR's own lifecycle preview shows what it would do, and the guard in `verify` mode (which
 * changes nothing) names the in-use images among them.
 */
export async function policyWithoutGuard(demo: Demo): Promise<void> {
  const websocket = repositoryOf(demo, 'websocket');
  for (const tag of ['pr-512', 'pr-515']) {
    await demo.sim.clock.advance(3_600_000);
    await demo.sim.control.seedImage!({ repositoryName: websocket, tags: [tag] });
  }
  note(demo.out, `CI pushed two pull-request builds to ${websocket} (pr-512, pr-515); they were never deployed.`);
  note(demo.out, `Lifecycle policy put on ${appRepositories(demo).map((r) => r.repository).join(', ')}: "${KEEP_TWO.rules[0]!.description}" (tagStatus any, imageCountMoreThan 2, expire)`);
  const previews: { repository: string; imageDigest: string; tags: string[] }[] = [];
  for (const { repository } of appRepositories(demo)) {
    await demo.ecr.send(new PutLifecyclePolicyCommand({ repositoryName: repository, lifecyclePolicyText: JSON.stringify(KEEP_TWO) }));
    await demo.ecr.send(new StartLifecyclePolicyPreviewCommand({ repositoryName: repository }));
    const preview = await waitFor(async () => {
      const p = await demo.ecr.send(new GetLifecyclePolicyPreviewCommand({ repositoryName: repository }));
      return p.status === 'COMPLETE' ? p : undefined;
    });
    for (const r of preview?.previewResults ?? []) previews.push({ repository, imageDigest: r.imageDigest!, tags: userTags(r) });
  }

  demo.out.line(bold('  ecr-lifecycle-guard (mode: verify) — changes nothing, fails if an in-use image is at risk'));
  const verify = await runGuard(demo, 'verify');
  const usedBy = new Map((verify.report?.inUse ?? []).map((i) => [i.digest, i.usedBy] as const));
  const rows = previews.map((p) => {
    const users = usedBy.get(p.imageDigest);
    // A service entry says it all; its task ids only make the table wide.
    const shown = users?.some((u) => u.startsWith('service ')) ? users.filter((u) => !u.startsWith('task ')) : users;
    return [p.repository, p.tags.join(', ') || '(untagged)', shortDigest(p.imageDigest), shown ? red(`IN USE: ${shown.join(', ')}`) : ''];
  });
  demo.out.line();
  demo.out.line(bold('  ECR lifecycle preview without the guard — images the policy would expire:'));
  indent(demo.out, table(['repository', 'tags', 'digest', 'in use (from the guard\'s inventory)'], rows));
  const atRisk = previews.filter((p) => usedBy.has(p.imageDigest)).length;
  const running = await runningImages(demo);
  const runningAtRisk = previews.filter((p) => running.has(p.imageDigest));
  expectThat(
    demo,
    verify.run.exitCode !== 0 && Number(verify.run.outputs['at-risk']) === atRisk && runningAtRisk.length > 0,
    `verify failed as it should: ${atRisk} in-use images would be expired, ${runningAtRisk.length} of them running now (${runningAtRisk.map((p) => `${p.repository}@${shortDigest(p.imageDigest)}`).join(', ')}): the incident`,
    `expected verify to fail with the at-risk in-use images (exit ${verify.run.exitCode}, at-risk ${verify.run.outputs['at-risk']}, preview shows ${atRisk} in use, ${runningAtRisk.length} running)`,
  );
}

interface GuardReportFile {
  inUse?: { repository: string; digest: string; usedBy: string[] }[];
}

/** Runs the bundled guard, prints its key lines and summary, and reads its JSON report. */
async function runGuard(demo: Demo, mode: 'verify' | 'protect') {
  // verify logs each problem and lists them again in its summary: show them once.
  const keep = mode === 'verify' ? (l: string) => !l.startsWith('problem:') : () => true;
  const dir = await mkdtemp(join(tmpdir(), 'gantry-demo-guard-'));
  try {
    const run = await runBundled('ecr-lifecycle-guard', { env: demo.sim.env, inputs: { mode, clusters: CLUSTER, 'report-path': join(dir, 'report.json') } });
    indent(demo.out, keyLogLines(run.log, keep).slice(0, 40).join('\n'));
    demo.out.line();
    indent(demo.out, renderSummary(run.summary));
    const report = run.outputs['report-path'] ? (JSON.parse(await readFile(run.outputs['report-path'], 'utf8').catch(() => '{}')) as GuardReportFile) : undefined;
    return { run, report };
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

/** The guard in protect mode: every in-use image tagged and shielded by a first rule, then verified. */
export async function guard(demo: Demo): Promise<void> {
  const { run, report } = await runGuard(demo, 'protect');
  const ok = expectThat(demo, run.exitCode === 0, `guard protected ${run.outputs['in-use-images']} in-use images; ${run.outputs.fixed} of them the policy would have expired (fixed now); at risk after the run: ${run.outputs['at-risk']}`, `ecr-lifecycle-guard failed (exit ${run.exitCode}): ${run.errors.join('; ')}`);
  if (!ok) return;
  expectThat(demo, Number(run.outputs.fixed) > 0 && run.outputs['at-risk'] === '0', 'the guard fixed the at-risk images and verified no in-use image is left at risk', `unexpected guard counts: fixed ${run.outputs.fixed}, at-risk ${run.outputs['at-risk']}`);
  demo.state.inUse = new Set((report?.inUse ?? []).map((i) => i.digest));
}

export async function lifecycleRun(demo: Demo): Promise<void> {
  const before = new Map<string, { repository: string; tags: string[] }>();
  for (const { repository } of appRepositories(demo)) for (const image of await listImages(demo, repository)) before.set(image.imageDigest!, { repository, tags: userTags(image) });
  const running = await runningImages(demo);
  const applied = (await demo.sim.control.applyLifecyclePolicies!()) as { expired: { repositoryName: string; imageDigest: string }[] };
  const expired = applied.expired.filter((e) => before.has(e.imageDigest));
  demo.out.line(bold('  ECR lifecycle run (the policy applied now instead of within 24 hours) — expired:'));
  indent(demo.out, table(['repository', 'tags', 'digest'], expired.map((e) => [e.repositoryName, before.get(e.imageDigest)?.tags.join(', ') || '(untagged)', shortDigest(e.imageDigest)])));
  const inUse = demo.state.inUse ?? new Set<string>();
  const wronglyPruned = expired.filter((e) => inUse.has(e.imageDigest) || running.has(e.imageDigest));
  expectThat(demo, expired.length > 0, `the policy still pruned ${expired.length} image(s) nothing uses`, 'the lifecycle run pruned nothing: the policy should still remove unused images');
  expectThat(demo, wronglyPruned.length === 0, 'lifecycle pruned only unused images', `lifecycle pruned in-use images: ${wronglyPruned.map((e) => `${e.repositoryName}@${shortDigest(e.imageDigest)}`).join(', ')}`);

  // Every service's images are still in ECR, and a task replacement (what the incident needed) works.
  const rows: string[][] = [];
  let allPresent = true;
  for (const s of SERVICES) {
    const images = new Set((await listImages(demo, repositoryOf(demo, s.name))).map((i) => i.imageDigest!));
    for (const digest of await serviceImageDigests(demo, s.name)) {
      const present = images.has(digest);
      allPresent &&= present;
      rows.push([s.name, `${repositoryOf(demo, s.name)}@${shortDigest(digest)}`, present ? 'still in ECR' : red('PRUNED')]);
    }
  }
  indent(demo.out, table(['service', 'running image', 'after the lifecycle run'], rows));
  expectThat(demo, allPresent, "every service's image survived the lifecycle run", 'a running image was pruned');

  const [task] = await serviceTasks(demo, 'websocket');
  if (!task) {
    expectThat(demo, false, '', 'websocket has no running task to replace');
    return;
  }
  await demo.ecs.send(new StopTaskCommand({ cluster: CLUSTER, task: task.taskArn!, reason: 'Fargate host maintenance' }));
  note(demo.out, `stopped websocket task ${task.taskArn!.split('/').pop()} (host maintenance): ECS starts a replacement from the same image`);
  const replacement = await waitFor(async () => (await serviceTasks(demo, 'websocket')).find((t) => t.taskArn !== task.taskArn && t.lastStatus === 'RUNNING'));
  const stopped = await serviceTasks(demo, 'websocket', 'STOPPED');
  const pullErrors = stopped.map((t) => t.stoppedReason ?? '').filter((r) => r.startsWith('CannotPullContainerError'));
  expectThat(demo, !!replacement && pullErrors.length === 0, `the replacement websocket task ${replacement?.taskArn?.split('/').pop()} is RUNNING (no CannotPullContainerError)`, `the websocket replacement did not start: ${pullErrors[0] ?? 'no RUNNING task'}`);
}
