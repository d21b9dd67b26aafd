import { afterAll, describe, expect, it } from '@jest/globals';
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, writeFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { ECSClient, CreateClusterCommand, ListClustersCommand } from '@aws-sdk/client-ecs';

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
