import type { DockerCli, DockerRunOptions, DockerRunResult } from '../../src/index.js';

export interface Call {
  args: string[];
  options: DockerRunOptions;
}

type Responder = (args: string[], options: DockerRunOptions) => Partial<DockerRunResult> | Promise<Partial<DockerRunResult>>;

/**
 * A DockerCli that records calls and answers from a list of `[matcher, responder]` rules (first match
 * wins; the default is success with no output). Lines are fed to onLine as the real client would.
 */
export function fakeDocker(rules: [(args: string[]) => boolean, Responder][] = []): DockerCli & { calls: Call[] } {
  const calls: Call[] = [];
  return {
    binary: 'fake-docker',
    calls,
    async run(args, options = {}) {
      calls.push({ args: [...args], options });
      const rule = rules.find(([match]) => match([...args]));
      const answer = rule ? await rule[1]([...args], options) : {};
      const result = { exitCode: 0, stdout: '', stderr: '', ...answer };
      for (const line of `${result.stdout}${result.stderr}`.split('\n')) if (line) options.onLine?.(line);
      return result;
    },
  };
}

export const startsWith = (...prefix: string[]) => (args: string[]) => prefix.every((p, i) => args[i] === p);

export const digestOf = (n: number) => `sha256:${n.toString(16).padStart(64, '0')}`;

export function pushOutput(tag: string, digest: string, pushed: number, existing: number): string {
  const lines = ['The push refers to repository [x]'];
  for (let i = 0; i < pushed; i++) lines.push(`${(0xaaa000000000 + i).toString(16)}: Pushed`);
  for (let i = 0; i < existing; i++) lines.push(`${(0xbbb000000000 + i).toString(16)}: Layer already exists`);
  lines.push(`${tag.split(':').pop()}: digest: ${digest} size: 734`);
  return lines.join('\n') + '\n';
}

export function memoryLogger() {
  const lines: string[] = [];
  return {
    lines,
    info: (line: string) => void lines.push(line),
    warning: (line: string) => void lines.push(`WARNING ${line}`),
  };
}
