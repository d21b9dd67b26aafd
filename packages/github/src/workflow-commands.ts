import { randomUUID } from 'node:crypto';
import { appendFileSync } from 'node:fs';
import { EOL } from 'node:os';

/**
 * The runner's documented workflow commands and environment files, written directly.
 * https://docs.github.com/en/actions/reference/workflows-and-actions/workflow-commands
 *
 * Why not @actions/core: it statically imports its OIDC client and with it undici, about 480 kB of
 * minified code that every Gantry action would parse at start-up without ever using it (no action here
 * asks for an ID token). The protocol below is small, stable and versioned by GitHub's docs; the tests
 * check it byte for byte against the parser in @gantry/local-runner, and against @actions/core itself
 * (test/actions-core-oracle.test.ts).
 */
export type Env = Record<string, string | undefined>;

/** `%`, CR and LF are escaped in command data; properties also escape `:` and `,`. */
export function escapeData(value: string): string {
  return value.replace(/%/g, '%25').replace(/\r/g, '%0D').replace(/\n/g, '%0A');
}

function escapeProperty(value: string): string {
  return escapeData(value).replace(/:/g, '%3A').replace(/,/g, '%2C');
}

export function command(name: string, message: string, properties: Record<string, string> = {}): string {
  const props = Object.entries(properties)
    .map(([k, v]) => `${k}=${escapeProperty(v)}`)
    .join(',');
  return `::${name}${props ? ` ${props}` : ''}::${escapeData(message)}`;
}

/** A `name<<DELIMITER` block for GITHUB_OUTPUT / GITHUB_STATE, with a delimiter the value cannot contain. */
export function fileCommandEntry(name: string, value: string): string {
  const delimiter = `ghadelimiter_${randomUUID()}`;
  if (name.includes(delimiter) || value.includes(delimiter)) throw new Error(`'${name}' contains the output delimiter`);
  return `${name}<<${delimiter}${EOL}${value}${EOL}${delimiter}${EOL}`;
}

export class WorkflowCommands {
  constructor(
    private readonly env: Env = process.env,
    private readonly write: (line: string) => void = (line) => process.stdout.write(line + EOL),
  ) {}

  issue(name: string, message: string): void {
    this.write(command(name, message));
  }

  /** Appends to an environment file, or falls back to the legacy stdout command outside a runner. */
  private file(variable: 'GITHUB_OUTPUT' | 'GITHUB_STATE', legacy: string, name: string, value: string): void {
    const path = this.env[variable];
    if (path) appendFileSync(path, fileCommandEntry(name, value), 'utf8');
    else this.write(command(legacy, value, { name }));
  }

  setOutput(name: string, value: string): void {
    // As @actions/core does, the legacy command starts on a line of its own, whatever was written before.
    if (!this.env.GITHUB_OUTPUT) this.write('');
    this.file('GITHUB_OUTPUT', 'set-output', name, value);
  }

  saveState(name: string, value: string): void {
    this.file('GITHUB_STATE', 'save-state', name, value);
  }

  getState(name: string): string {
    return this.env[`STATE_${name}`] ?? '';
  }

  appendSummary(markdown: string): boolean {
    const path = this.env.GITHUB_STEP_SUMMARY;
    if (!path) return false;
    appendFileSync(path, markdown.endsWith(EOL) ? markdown : markdown + EOL, 'utf8');
    return true;
  }
}
