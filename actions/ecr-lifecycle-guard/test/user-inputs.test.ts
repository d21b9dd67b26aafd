/**
 * What users type into the guard, through the committed bundle: every bad input is one error line naming
 * the input, found before any AWS call; the guard refuses `images` entries that are not image references
 * (instead of silently protecting nothing) and user rules inside its reserved `gantry-keep-` namespace.
 */
import { afterAll, beforeAll, beforeEach, describe, expect, it } from '@jest/globals';
import { join } from 'node:path';
import { startSimulator, type Simulator } from '@gantry/aws-sim';
import { reservedSelection, shieldPolicy } from '@gantry/guard';
import { runAction } from '@gantry/local-runner';

const actionDir = join(import.meta.dirname, '..');
let sim: Simulator;

beforeAll(async () => {
  sim = await startSimulator({ port: 0 });
});
afterAll(async () => sim?.stop());
beforeEach(() => {
  sim.control.setFaults({});
  sim.control.resetCallCounts();
});

const run = (inputs: Record<string, string>, env: Record<string, string | undefined> = {}) => runAction(actionDir, { inputs, env: { ...sim.env, ...env } });
const calls = () => Object.values(sim.control.callCounts()).reduce((a, b) => a + b, 0);

describe('ecr-lifecycle-guard inputs', () => {
  it.each([
    ['an images entry with a space', { images: 'my-app:stable, my app:v1' }, /^Input 'images' has an entry that is not an image reference: item 2, 'my app:v1'/],
    ['an images entry with a truncated digest', { images: 'my-app@sha256:abc' }, /^Input 'images' has an entry that is not an image reference: item 1, 'my-app@sha256:abc'/],
    ['an images entry with a doubled colon', { images: 'my-app::v1' }, /^Input 'images' has an entry that is not an image reference: item 1/],
    ['an images entry that is only a tag', { images: ':v1' }, /^Input 'images' has an entry that is not an image reference: item 1, ':v1'/],
    ['an unclosed quote in clusters', { clusters: '"prod, staging' }, /^Input 'clusters' has an unclosed double quote in item 1/],
    ['a bad mode', { mode: 'fix' }, /^Input 'mode' must be one of protect, verify, summarize, got 'fix'/],
    ['rollback-revisions in words', { 'rollback-revisions': 'three' }, /^Input 'rollback-revisions' must be a whole number, got 'three'/],
    ['rollback-revisions over 100', { 'rollback-revisions': '101' }, /^Input 'rollback-revisions' must be at most 100, got 101/],
    ['concurrency 0', { concurrency: '0' }, /^Input 'concurrency' must be at least 1, got 0/],
    ['a bad scheduler flag', { scheduler: 'on' }, /^Input 'scheduler' must be true or false, got 'on'/],
    ['a report-path in a missing directory', { 'report-path': '/nonexistent-dir-gantry/report.json' }, /^Input 'report-path': the directory of '\/nonexistent-dir-gantry\/report.json' cannot be written \(ENOENT\)/],
    ['a bad aws-region', { 'aws-region': 'us-east' }, /^Input 'aws-region' is not an AWS region: 'us-east'/],
  ])('refuses %s before calling AWS', async (_label, inputs, message) => {
    const result = await run(inputs);
    expect(result.errors).toEqual([expect.stringMatching(message)]);
    expect(result.exitCode).toBe(1);
    expect(calls()).toBe(0);
  });

  it('blames AWS_DEFAULT_REGION when it is the source of a bad region', async () => {
    const result = await run({}, { AWS_REGION: undefined, AWS_DEFAULT_REGION: 'Paris' });
    expect(result.errors).toEqual([expect.stringMatching(/^The environment variable AWS_DEFAULT_REGION is not an AWS region: 'Paris'/)]);
    expect(calls()).toBe(0);
  });

  it('accepts quoted and CRLF-separated list items', async () => {
    const result = await run({ mode: 'verify', clusters: '"prod"\r\nstaging', images: 'my-app:stable\r\nmy-app@sha256:' + 'a'.repeat(64) });
    expect(result.errors.join('\n')).not.toMatch(/Input '/);
  });

  it('names the permission when ecs:ListClusters is denied', async () => {
    sim.control.setFaults({ deny: ['ecs:ListClusters'] });
    const result = await run({ mode: 'verify' });
    expect(result.exitCode).toBe(1);
    expect(result.errors).toHaveLength(1);
    expect(result.errors[0]).toMatch(/ecs:ListClusters/);
  });

});

describe('the reserved gantry-keep- namespace', () => {
  const rule = (selection: Record<string, unknown>) => ({ selection: { tagStatus: 'tagged', countType: 'imageCountMoreThan', countNumber: 1, ...selection } });
  it.each([
    [{ tagPrefixList: ['gantry-keep-'] }, "tag prefix 'gantry-keep-'"],
    [{ tagPrefixList: ['release', 'gantry-keep-abc'] }, "tag prefix 'gantry-keep-abc'"],
    [{ tagPatternList: ['gantry-keep-*'] }, "tag pattern 'gantry-keep-*'"],
    [{ tagPatternList: ['gantry-keep-1*2'] }, "tag pattern 'gantry-keep-1*2'"],
    [{ tagPrefixList: ['gantry-'] }, undefined],
    [{ tagPatternList: ['gantry-kee*'] }, undefined],
    [{ tagPatternList: ['*gantry-keep-*'] }, undefined],
  ])('%j → %s', (selection, expected) => {
    expect(reservedSelection(rule(selection))).toBe(expected);
  });
  it('is enforced by shieldPolicy with an error naming the rule and the fix', () => {
    const text = JSON.stringify({ rules: [{ rulePriority: 3, selection: { tagStatus: 'tagged', tagPrefixList: ['gantry-keep-x'], countType: 'imageCountMoreThan', countNumber: 2 }, action: { type: 'expire' } }] });
    expect(() => shieldPolicy('web', text)).toThrow("Rule 3 of the lifecycle policy of repository web selects tag prefix 'gantry-keep-x', inside the 'gantry-keep-' tag namespace the guard reserves for its protection tags. Remove that prefix from the rule");
  });
});
