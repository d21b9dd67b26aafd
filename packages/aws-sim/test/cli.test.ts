import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, writeFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { ECSClient, CreateClusterCommand, ListClustersCommand } from '@aws-sdk/client-ecs';
import { DescribeRulesCommand, ElasticLoadBalancingV2Client } from '@aws-sdk/client-elastic-load-balancing-v2';
import { createServer, type Server } from 'node:http';

const bin = join(dirname(fileURLToPath(import.meta.url)), '..', 'bin', 'gantry-sim.js');

describe('gantry-sim CLI', () => {
  const dir = mkdtempSync(join(tmpdir(), 'gantry-sim-cli-'));
  let child: ChildProcess | undefined;
  afterAll(() => {
    if (child && child.exitCode === null) child.kill('SIGKILL');
    rmSync(dir, { recursive: true, force: true });
  });

  it('starts in the foreground with a scenario, prints endpoint and env exports, serves the SDK and control API, and stops on SIGTERM', async () => {
    const scenario = join(dir, 'scenario.yaml');
    writeFileSync(scenario, 'images:\n  "web:bad":\n    exitAfterSeconds: 0\n    exitCode: 1\n');
    child = spawn(process.execPath, [bin, 'start', '--port', '0', '--speed', '60', '--scenario', scenario], { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    child.stderr!.on('data', (d: Buffer) => (err += d.toString()));
    const endpoint = await new Promise<string>((resolve, reject) => {
      child!.stdout!.on('data', (d: Buffer) => {
        out += d.toString();
        const m = /export AWS_ENDPOINT_URL=(http:\/\/127\.0\.0\.1:\d+)/.exec(out);
        if (m) resolve(m[1]!);
      });
      child!.once('exit', (code) => reject(new Error(`exited ${code}: ${err}`)));
    });
    expect(out).toMatch(/^gantry-sim listening on http:\/\/127\.0\.0\.1:\d+ \(speed 60x, scenario /m);
    expect(out).toContain('export AWS_REGION=us-east-1');
    const ecs = new ECSClient({ region: 'us-east-1', endpoint, credentials: { accessKeyId: 'a', secretAccessKey: 'b' } });
    await ecs.send(new CreateClusterCommand({ clusterName: 'cli' }));
    expect((await ecs.send(new ListClustersCommand({}))).clusterArns).toEqual(['arn:aws:ecs:us-east-1:123456789012:cluster/cli']);
    ecs.destroy();
    const behaviours = await (await fetch(`${endpoint}/_sim/imageBehaviours`, { method: 'POST', body: '{}' })).json();
    expect(behaviours).toEqual({ images: { 'web:bad': { exitAfterSeconds: 0, exitCode: 1 } } });
    const exit = new Promise<number | null>((resolve) => child!.once('exit', (code) => resolve(code)));
    child.kill('SIGTERM');
    expect(await exit).toBe(0);
    expect(out).toContain('gantry-sim stopped');
  }, 30_000);

  it('--scenario with resources: prints what it created (as shell comments), and the ARNs are live', async () => {
    const example = join(dirname(bin), '..', 'examples', 'blue-green-web.yaml');
    const p = spawn(process.execPath, [bin, 'start', '--port', '0', '--scenario', example], { stdio: ['ignore', 'pipe', 'pipe'] });
    try {
      let out = '';
      await new Promise<void>((resolve, reject) => {
        p.stdout!.on('data', (d: Buffer) => ((out += d.toString()), /#   alarm /.test(out) && resolve()));
        p.once('exit', (code) => reject(new Error(`exited ${code}`)));
      });
      expect(out).toContain('# the scenario created in us-east-1:\n');
      const rule = /^#   listener rule production: (arn:aws:elasticloadbalancing:us-east-1:123456789012:listener-rule\/app\/web-alb\/\S+)$/m.exec(out);
      expect(rule).not.toBeNull();
      expect(out).toMatch(/^#   target group web-green: arn:aws:elasticloadbalancing:us-east-1:123456789012:targetgroup\/web-green\/[0-9a-f]+$/m);
      expect(out).toContain('#   alarm web-5xx: arn:aws:cloudwatch:us-east-1:123456789012:alarm:web-5xx');
      const endpoint = /export AWS_ENDPOINT_URL=(\S+)/.exec(out)![1]!;
      const elb = new ElasticLoadBalancingV2Client({ region: 'us-east-1', endpoint, credentials: { accessKeyId: 'a', secretAccessKey: 'b' } });
      try {
        expect((await elb.send(new DescribeRulesCommand({ RuleArns: [rule![1]!] }))).Rules![0]).toMatchObject({ Priority: '1', IsDefault: false });
      } finally {
        elb.destroy();
      }
    } finally {
      p.kill('SIGTERM');
    }
  }, 30_000);

  it('rejects an unknown command with usage and exit code 2', async () => {
    const p = spawn(process.execPath, [bin, 'launch'], { stdio: ['ignore', 'pipe', 'pipe'] });
    let err = '';
    p.stderr!.on('data', (d: Buffer) => (err += d.toString()));
    const code = await new Promise<number | null>((resolve) => p.once('exit', resolve));
    expect(code).toBe(2);
    expect(err).toContain("unknown command 'launch'");
    expect(err).toContain('Usage: gantry-sim start');
  }, 30_000);
});

/** Runs the real CLI to its exit; start-up errors must be one line on stderr, exit code 2, no stack trace. */
function runCli(args: string[]): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const p = spawn(process.execPath, [bin, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    p.stdout!.on('data', (d: Buffer) => (stdout += d.toString()));
    p.stderr!.on('data', (d: Buffer) => (stderr += d.toString()));
    p.once('exit', (code) => resolve({ code, stdout, stderr }));
  });
}

describe('gantry-sim start with bad input', () => {
  const dir = mkdtempSync(join(tmpdir(), 'gantry-sim-cli-bad-'));
  let busy: Server;
  let busyPort = 0;
  beforeAll(async () => {
    // Holds a port, and answers HTTP (404 on /v2/): an address where no OCI registry is.
    busy = createServer((_req, res) => res.writeHead(404).end());
    await new Promise<void>((resolve) => busy.listen(0, '127.0.0.1', resolve));
    busyPort = (busy.address() as { port: number }).port;
  });
  afterAll(async () => {
    busy.closeAllConnections();
    await new Promise((resolve) => busy.close(resolve));
    rmSync(dir, { recursive: true, force: true });
  });

  const expectOneLine = (r: { code: number | null; stderr: string; stdout: string }, text: RegExp) => {
    expect(r.code).toBe(2);
    const lines = r.stderr.trimEnd().split('\n');
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(text);
    expect(r.stderr).not.toMatch(/\n\s+at /);
    expect(r.stdout).toBe('');
  };

  it('names --port when the port is in use', async () => {
    expectOneLine(await runCli(['start', '--port', String(busyPort)]), new RegExp(`^gantry-sim: --port: port ${busyPort} is already in use on 127\\.0\\.0\\.1`));
  }, 30_000);

  it('names --scenario when the file does not exist', async () => {
    const missing = join(dir, 'nope.yaml');
    expectOneLine(await runCli(['start', '--port', '0', '--scenario', missing]), /^gantry-sim: --scenario: scenario file .*nope\.yaml does not exist$/);
  }, 30_000);

  it.each([
    ['an unknown behaviour field', 'images:\n  "web:bad":\n    exitAfter: 0\n', /^gantry-sim: --scenario: scenario .*: image behaviour for 'web:bad': unknown field 'exitAfter'/],
    ['an unknown top-level field', 'image:\n  "web:bad": {}\n', /^gantry-sim: --scenario: scenario .*: unknown field 'image' \(known: images, timing, region, loadBalancers, alarms, hookOutcomes\)$/],
    ['YAML that does not parse', 'images: [unclosed\n', /^gantry-sim: --scenario: scenario file .* is not valid YAML/],
    ['a non-numeric timing', 'timing:\n  pullSeconds: soon\n', /^gantry-sim: --scenario: scenario .*: timing\.pullSeconds must be a number >= 0, got "soon"$/],
  ])('names --scenario and the field for %s', async (_name, text, message) => {
    const file = join(dir, `bad-${Math.random().toString(36).slice(2)}.yaml`);
    writeFileSync(file, text);
    const r = await runCli(['start', '--port', '0', '--scenario', file]);
    expectOneLine(r, message);
    // The file's contents are not echoed.
    if (text.includes('unclosed')) expect(r.stderr).not.toContain('unclosed');
  }, 30_000);

  it('names --registry for a URL that is not http(s), and for a registry that does not answer', async () => {
    expectOneLine(await runCli(['start', '--port', '0', '--registry', 'localhost:5000']), /^gantry-sim: --registry must be an http\(s\) URL of an OCI registry such as http:\/\/127\.0\.0\.1:5000, got 'localhost:5000'$/);
    expectOneLine(await runCli(['start', '--port', '0', '--registry', `http://127.0.0.1:${busyPort}`]), /^gantry-sim: --registry: No OCI registry answers at http:\/\/127\.0\.0\.1:\d+\/v2\//);
  }, 30_000);
});
