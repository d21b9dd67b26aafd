import { spawn, spawnSync } from 'node:child_process';
import { openSync, closeSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { join } from 'node:path';

export interface Engine {
  /** `unix:///tmp/.../docker.sock` */
  host: string;
  pid: number;
  dir: string;
  stop(): Promise<void>;
}

const alive = (pid: number) => {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
};

/**
 * A fresh Docker engine of its own (data, exec root, socket under a new /tmp directory), as a separate CI
 * runner would have: empty image store, empty build cache. Same flags as scripts/ci/docker-sandbox.sh (vfs,
 * no bridge, no iptables); it listens on its unix socket only. Stopped by its PID.
 */
export async function startEngine(cli: string): Promise<Engine> {
  const dir = await mkdtemp('/tmp/gantry-engine-');
  const host = `unix://${dir}/docker.sock`;
  const log = openSync(join(dir, 'dockerd.log'), 'a');
  const child = spawn(
    'dockerd',
    ['--storage-driver=vfs', '--iptables=false', '--ip6tables=false', '--bridge=none', '--host', host, '--data-root', join(dir, 'data'), '--exec-root', join(dir, 'exec'), '--pidfile', join(dir, 'dockerd.pid')],
    { detached: true, stdio: ['ignore', log, log] },
  );
  closeSync(log);
  child.unref();
  const pid = child.pid!;
  const stop = async () => {
    if (alive(pid)) process.kill(pid, 'SIGTERM');
    for (let i = 0; i < 60 && alive(pid); i++) await new Promise((r) => setTimeout(r, 250));
    if (alive(pid)) process.kill(pid, 'SIGKILL');
    await rm(dir, { recursive: true, force: true }).catch(() => undefined);
  };
  for (let i = 0; i < 120; i++) {
    if (spawnSync(cli, ['-H', host, 'version', '--format', '{{.Server.Version}}'], { timeout: 5000 }).status === 0) return { host, pid, dir, stop };
    if (!alive(pid)) break;
    await new Promise((r) => setTimeout(r, 250));
  }
  const tail = spawnSync('tail', ['-5', join(dir, 'dockerd.log')], { encoding: 'utf8' }).stdout;
  await stop();
  throw new Error(`a second dockerd did not start (run as root with dockerd on PATH): ${tail}`);
}
