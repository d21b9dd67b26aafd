import { spawn } from 'node:child_process';

export interface DockerRunOptions {
  /** Written to the process's stdin, then closed (used for `login --password-stdin`). */
  stdin?: string;
  cwd?: string;
  /** Extra environment for this call only (e.g. DOCKER_BUILDKIT=1). */
  env?: Record<string, string>;
  /** Called with every complete output line (stdout and stderr), for streaming build logs. */
  onLine?: (line: string) => void;
}

export interface DockerRunResult {
  exitCode: number;
  stdout: string;
  stderr: string;
}

/**
 * Everything Gantry asks of the docker client goes through `run`. The real implementation is the only
 * place in the package that starts a process; tests substitute a recorder.
 */
export interface DockerCli {
  /** The binary, for messages. */
  readonly binary: string;
  run(args: readonly string[], options?: DockerRunOptions): Promise<DockerRunResult>;
}

export interface SpawnDockerOptions {
  /** Path or name of the docker client; default `docker`. */
  binary?: string;
  /** The environment the client runs in (DOCKER_HOST, DOCKER_CONFIG, ...); default the process's. */
  env?: Record<string, string | undefined>;
}

export function spawnDockerCli(options: SpawnDockerOptions = {}): DockerCli {
  const binary = options.binary ?? 'docker';
  const baseEnv = options.env ?? process.env;
  return {
    binary,
    run(args, runOptions = {}) {
      return new Promise((resolve, reject) => {
        const child = spawn(binary, [...args], {
          cwd: runOptions.cwd,
          env: { ...baseEnv, ...runOptions.env },
          stdio: ['pipe', 'pipe', 'pipe'],
        });
        const out = { stdout: '', stderr: '' };
        const pending = { stdout: '', stderr: '' };
        const onData = (stream: 'stdout' | 'stderr') => (chunk: Buffer) => {
          const text = chunk.toString();
          out[stream] += text;
          if (!runOptions.onLine) return;
          const lines = (pending[stream] + text).split(/\r?\n/);
          pending[stream] = lines.pop() ?? '';
          for (const line of lines) runOptions.onLine(line);
        };
        child.stdout.on('data', onData('stdout'));
        child.stderr.on('data', onData('stderr'));
        child.on('error', (err: NodeJS.ErrnoException) => {
          reject(err.code === 'ENOENT' ? new Error(`docker client '${binary}' was not found on PATH`) : err);
        });
        child.on('close', (code) => {
          for (const rest of [pending.stdout, pending.stderr]) if (rest && runOptions.onLine) runOptions.onLine(rest);
          resolve({ exitCode: code ?? 1, ...out });
        });
        child.stdin.on('error', () => undefined); // the client may exit before reading stdin
        child.stdin.end(runOptions.stdin ?? '');
      });
    },
  };
}

/** The last `count` non-empty lines of a command's output, for error messages. */
export function lastLines(text: string, count = 20): string {
  return text
    .split(/\r?\n/)
    .filter((l) => l.trim() !== '')
    .slice(-count)
    .join('\n');
}
