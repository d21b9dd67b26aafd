// Runs the real bin (node + tsx loader) against temporary files, as a user would.
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const bin = join(dirname(fileURLToPath(import.meta.url)), '..', 'bin', 'gantry-lifecycle.js');
let dir: string;
const file = (name: string, content: unknown): string => {
  const path = join(dir, name);
  writeFileSync(path, typeof content === 'string' ? content : JSON.stringify(content, null, 2));
  return path;
};
const run = (...args: string[]) => {
  const result = spawnSync(process.execPath, [bin, ...args], { encoding: 'utf8', timeout: 30_000 });
  return { code: result.status, stdout: result.stdout, stderr: result.stderr };
};

const policy = {
  rules: [
    { rulePriority: 1, description: 'keep 1 prod image', selection: { tagStatus: 'tagged', tagPrefixList: ['prod'], countType: 'imageCountMoreThan', countNumber: 1 }, action: { type: 'expire' } },
    { rulePriority: 2, description: 'archive untagged after 30 days', selection: { tagStatus: 'untagged', countType: 'sinceImagePushed', countUnit: 'days', countNumber: 30 }, action: { type: 'transition', targetStorageClass: 'archive' } },
  ],
};
// As `aws ecr describe-images` prints it: epoch seconds (CLI v1 style) and ISO strings (v2 style) mixed.
const images = {
  imageDetails: [
    { registryId: '123456789012', repositoryName: 'app', imageDigest: 'sha256:p1', imageTags: ['prod-1'], imageSizeInBytes: 1, imagePushedAt: Date.parse('2025-01-01T00:00:00Z') / 1000 },
    { registryId: '123456789012', repositoryName: 'app', imageDigest: 'sha256:p2', imageTags: ['prod-2'], imageSizeInBytes: 1, imagePushedAt: '2025-02-01T00:00:00+00:00' },
    { registryId: '123456789012', repositoryName: 'app', imageDigest: 'sha256:u1', imageSizeInBytes: 1, imagePushedAt: '2025-01-15T00:00:00+00:00' },
    { registryId: '123456789012', repositoryName: 'app', imageDigest: 'sha256:u2', imageSizeInBytes: 1, imagePushedAt: '2025-02-25T00:00:00+00:00' },
  ],
};

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'gantry-lifecycle-cli-'));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('gantry-lifecycle validate', () => {
  it('exits 0 and prints "valid" for a valid policy', () => {
    const result = run('validate', '--policy', file('ok.json', policy));
    expect(result).toMatchObject({ code: 0, stdout: 'valid\n' });
  });

  it('exits 1 listing every reason for an invalid policy', () => {
    const bad = { rules: [{ ...policy.rules[0], selection: { tagStatus: 'tagged', countType: 'imageCountMoreThan', countNumber: 0 } }] };
    const result = run('validate', '--policy', file('bad.json', bad));
    expect(result.code).toBe(1);
    expect(result.stdout).toBe('');
    expect(result.stderr).toContain('Rule 1: tagStatus "tagged" needs a tagPrefixList or a tagPatternList.');
    expect(result.stderr).toContain('Rule 1: selection.countNumber must be a positive integer');
  });

  it('exits 1 naming a policy file that cannot be read', () => {
    const result = run('validate', '--policy', join(dir, 'missing.json'));
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(/Cannot read the policy file .*missing\.json/);
  });
});

describe('gantry-lifecycle preview', () => {
  it('prints the decisions and a summary as JSON', () => {
    const result = run('preview', '--policy', file('p.json', policy), '--images', file('i.json', images), '--now', '2025-03-01T00:00:00Z');
    expect(result.code).toBe(0);
    const output = JSON.parse(result.stdout);
    expect(output.decisions).toEqual([
      { imageDigest: 'sha256:p1', imageTags: ['prod-1'], action: 'expire', rulePriority: 1, storageClass: 'standard' },
      { imageDigest: 'sha256:u1', imageTags: [], action: 'transition', targetStorageClass: 'archive', rulePriority: 2, storageClass: 'standard' },
    ]);
    expect(output.summary).toEqual({
      evaluatedImageCount: 4,
      expiringImageTotalCount: 1,
      transitioningImageTotalCounts: [{ targetStorageClass: 'archive', imageTotalCount: 1 }],
      keptImageCount: 2,
      byRule: [
        { rulePriority: 1, expire: 1, transition: 0 },
        { rulePriority: 2, expire: 0, transition: 1 },
      ],
    });
  });

  it('exits 1 for images that are not describe-images output', () => {
    const result = run('preview', '--policy', file('p2.json', policy), '--images', file('wrong.json', { images: [] }));
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(/must be `aws ecr describe-images` output/);
  });
});

describe('bad arguments', () => {
  it.each([
    { args: [] as string[], message: 'No command given.' },
    { args: ['prune'], message: 'Unknown command "prune".' },
    { args: ['validate'], message: '--policy is required.' },
    { args: ['preview', '--policy', 'p.json'], message: '--images is required.' },
    { args: ['validate', '--policy', 'p.json', '--force'], message: "Unknown option '--force'" },
    { args: ['preview', '--policy', 'p.json', '--images', 'i.json', '--now', 'tomorrow'], message: '--now "tomorrow" is not an ISO-8601 time' },
  ])('$args -> usage and exit 2', ({ args, message }) => {
    const result = run(...args);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain(message);
    expect(result.stderr).toContain('Usage:');
  });

  it('--help prints usage and exits 0', () => {
    const result = run('--help');
    expect(result.code).toBe(0);
    expect(result.stdout).toContain('gantry-lifecycle preview');
  });
});
