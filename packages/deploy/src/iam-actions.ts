import { existsSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { iamActionFor } from '@gantry/aws';

/** SDK client packages Gantry's deploy code imports commands from, and the client each command runs on. */
const CLIENT_FOR_MODULE: Record<string, string> = {
  '@aws-sdk/client-ecs': 'ECSClient',
  '@aws-sdk/client-ecr': 'ECRClient',
  '@aws-sdk/client-cloudwatch-logs': 'CloudWatchLogsClient',
};

const PACKAGE_ROOT = resolve(import.meta.dirname, '..');

/**
 * The IAM actions the code reachable from `entryFile` can send: every `new XxxCommand(` in every source
 * file reached through (non-type) imports, relative or through @gantry/deploy's exports, mapped with
 * `iamActionFor`. Granularity is the file: a command in a reachable file counts even if a given run never
 * sends it, which is what a policy must allow.
 */
export function iamActionsReachableFrom(entryFile: string): string[] {
  const actions = new Set<string>();
  const seen = new Set<string>();
  const queue = [resolve(entryFile)];
  while (queue.length > 0) {
    const file = queue.pop()!;
    if (seen.has(file)) continue;
    seen.add(file);
    const source = readFileSync(file, 'utf8');
    const importedFrom = new Map<string, string>();
    for (const m of source.matchAll(/^\s*(import|export)\s+(type\s+)?([\s\S]*?)\s+from\s+['"]([^'"]+)['"]/gm)) {
      if (m[2]) continue;
      const spec = m[4]!;
      for (const name of (m[3]!.match(/\{([\s\S]*)\}/)?.[1] ?? '').split(',')) {
        const clean = name.trim();
        if (clean && !clean.startsWith('type ')) importedFrom.set(clean.split(/\s+as\s+/).pop()!, spec);
      }
      const next = resolveSpecifier(file, spec);
      if (next) queue.push(next);
    }
    for (const m of source.matchAll(/new\s+(\w+Command)\s*\(/g)) {
      const command = m[1]!;
      const module = importedFrom.get(command);
      const client = module ? CLIENT_FOR_MODULE[module] : undefined;
      if (!client) throw new Error(`${file}: cannot tell which AWS client sends ${command} (imported from ${module ?? 'nowhere'})`);
      actions.add(iamActionFor(client, command));
    }
  }
  return [...actions].sort();
}

function resolveSpecifier(from: string, spec: string): string | undefined {
  if (spec.startsWith('.')) {
    const ts = resolve(dirname(from), spec.replace(/\.js$/, '.ts'));
    return existsSync(ts) ? ts : undefined;
  }
  if (spec === '@gantry/deploy' || spec.startsWith('@gantry/deploy/')) {
    const exports = JSON.parse(readFileSync(join(PACKAGE_ROOT, 'package.json'), 'utf8')).exports as Record<string, string>;
    const target = exports[`.${spec.slice('@gantry/deploy'.length)}`];
    return target ? join(PACKAGE_ROOT, target) : undefined;
  }
  return undefined;
}

/** The IAM actions an action README lists between `<!-- iam:start -->` and `<!-- iam:end -->`. */
export function iamActionsListedIn(readme: string): string[] {
  const block = /<!-- iam:start -->([\s\S]*?)<!-- iam:end -->/.exec(readme)?.[1] ?? '';
  return [...new Set([...block.matchAll(/`([a-z-]+:[A-Za-z]+)`/g)].map((m) => m[1]!))].sort();
}
