// gantry-lifecycle: validate a lifecycle policy, or preview what it would expire/archive in a
// repository described by `aws ecr describe-images` output.
import { readFile } from 'node:fs/promises';
import { parseArgs } from 'node:util';
import { evaluatePolicy } from './evaluate.js';
import { summarizeDecisions } from './summary.js';
import { LifecycleImageError, type LifecycleImage } from './types.js';
import { validatePolicy } from './validate.js';

export const USAGE = `Usage:
  gantry-lifecycle validate --policy POLICY.json
  gantry-lifecycle preview  --policy POLICY.json --images IMAGES.json [--now ISO-8601]

  validate  exits 0 printing "valid", or 1 listing every reason ECR would reject the policy.
  preview   prints {"decisions": [...], "summary": {...}}: each image the policy would expire or
            archive, and the rule that takes it. IMAGES.json is \`aws ecr describe-images
            --filter imageStatus=ANY\` output as-is ({"imageDetails": [...]}).
  --now     evaluate as of this time (default: now).
Exit codes: 0 ok, 1 invalid policy or input file, 2 bad arguments.`;

export interface CliIO {
  stdout(text: string): void;
  stderr(text: string): void;
  readFile(path: string): Promise<string>;
  now(): Date;
}

const defaultIO: CliIO = {
  stdout: (text) => process.stdout.write(`${text}\n`),
  stderr: (text) => process.stderr.write(`${text}\n`),
  readFile: (path) => readFile(path, 'utf8'),
  now: () => new Date(),
};

class UsageError extends Error {}
class InputFileError extends Error {}

/** Runs the CLI and returns its exit code. */
export async function runCli(argv: readonly string[], io: CliIO = defaultIO): Promise<number> {
  try {
    const [command, ...rest] = argv;
    if (command === '--help' || command === '-h' || command === 'help') {
      io.stdout(USAGE);
      return 0;
    }
    if (command === 'validate') return await validateCommand(rest, io);
    if (command === 'preview') return await previewCommand(rest, io);
    throw new UsageError(command === undefined ? 'No command given.' : `Unknown command "${command}".`);
  } catch (error) {
    if (error instanceof UsageError) {
      io.stderr(`gantry-lifecycle: ${error.message}\n\n${USAGE}`);
      return 2;
    }
    if (error instanceof InputFileError || error instanceof LifecycleImageError) {
      io.stderr(`gantry-lifecycle: ${error.message}`);
      return 1;
    }
    throw error;
  }
}

function parse(args: readonly string[], options: Record<string, { type: 'string' }>, required: string[]): Record<string, string | undefined> {
  let values: Record<string, string | boolean | undefined>;
  try {
    ({ values } = parseArgs({ args: [...args], options, strict: true, allowPositionals: false }));
  } catch (error) {
    throw new UsageError((error as Error).message);
  }
  for (const name of required) {
    if (typeof values[name] !== 'string' || values[name] === '') throw new UsageError(`--${name} is required.`);
  }
  return values as Record<string, string | undefined>;
}

async function read(path: string, what: string, io: CliIO): Promise<string> {
  try {
    return await io.readFile(path);
  } catch (error) {
    throw new InputFileError(`Cannot read the ${what} file ${path}: ${(error as Error).message}`);
  }
}

async function loadPolicy(path: string, io: CliIO) {
  const result = validatePolicy(await read(path, 'policy', io));
  if (!result.valid || !result.policy) {
    io.stderr(`The lifecycle policy ${path} is not valid (ECR would reject it):`);
    for (const error of result.errors) io.stderr(`  - ${error}`);
    return undefined;
  }
  return result.policy;
}

async function validateCommand(args: readonly string[], io: CliIO): Promise<number> {
  const values = parse(args, { policy: { type: 'string' } }, ['policy']);
  const policy = await loadPolicy(values.policy!, io);
  if (!policy) return 1;
  io.stdout('valid');
  return 0;
}

async function previewCommand(args: readonly string[], io: CliIO): Promise<number> {
  const values = parse(args, { policy: { type: 'string' }, images: { type: 'string' }, now: { type: 'string' } }, ['policy', 'images']);
  let now = io.now();
  if (values.now !== undefined) {
    now = new Date(values.now);
    if (Number.isNaN(now.getTime())) throw new UsageError(`--now "${values.now}" is not an ISO-8601 time such as 2025-01-31T12:00:00Z.`);
  }
  const images = parseImages(await read(values.images!, 'images', io), values.images!);
  const policy = await loadPolicy(values.policy!, io);
  if (!policy) return 1;
  const decisions = evaluatePolicy(policy, images, { now });
  io.stdout(JSON.stringify({ decisions, summary: summarizeDecisions(decisions, images.length) }, null, 2));
  return 0;
}

function parseImages(text: string, path: string): LifecycleImage[] {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (error) {
    throw new InputFileError(`The images file ${path} is not valid JSON: ${(error as Error).message}`);
  }
  const list = Array.isArray(parsed) ? parsed : (parsed as { imageDetails?: unknown } | null)?.imageDetails;
  if (!Array.isArray(list) || !list.every((item) => typeof item === 'object' && item !== null)) {
    throw new InputFileError(
      `The images file ${path} must be \`aws ecr describe-images\` output: {"imageDetails": [{"imageDigest": ..., "imagePushedAt": ...}, ...]}.`,
    );
  }
  return list as LifecycleImage[];
}
