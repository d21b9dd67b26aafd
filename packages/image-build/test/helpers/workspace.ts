import { copyFile, cp, mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** A copy of the fixture app with Debian's static busybox in it (test images are FROM scratch). */
export async function fixtureWorkspace(): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'gantry-ws-'));
  await cp(join(import.meta.dirname, '../fixtures/app'), dir, { recursive: true });
  await copyFile('/bin/busybox', join(dir, 'busybox'));
  return dir;
}

export const uniqueRepository = (prefix: string) => `gantry-test/${prefix}-${Date.now().toString(36)}-${Math.random().toString(36).slice(2, 8)}`;
