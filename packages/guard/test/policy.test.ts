import { describe, expect, it } from '@jest/globals';
import { evaluatePolicy, parsePolicy, validatePolicy } from '@gantry/lifecycle';
import { parseImage, protectionTag, RegistryIndex, shieldPolicy, shieldRule } from '../src/index.js';

const rule = (rulePriority: number, extra: object = {}) => ({
  rulePriority,
  selection: { tagStatus: 'any', countType: 'imageCountMoreThan', countNumber: 3 },
  action: { type: 'expire' },
  ...extra,
});

describe('shieldPolicy', () => {
  it('is a rule ECR accepts, and it expires nothing itself while shielding every protected image', () => {
    const text = JSON.stringify({ rules: [shieldRule(1), rule(2)] });
    expect(validatePolicy(text)).toMatchObject({ valid: true });
    const images = Array.from({ length: 10 }, (_, i) => ({
      imageDigest: `sha256:${String(i).repeat(64).slice(0, 64)}`,
      imageTags: [`gantry-keep-${i}`],
      imagePushedAt: new Date(2026, 0, i + 1),
    }));
    expect(evaluatePolicy(parsePolicy(text), images, { now: new Date(2026, 5, 1) })).toEqual([]);
    // Without the shield the same images would go.
    expect(evaluatePolicy(parsePolicy(JSON.stringify({ rules: [rule(1)] })), images, { now: new Date(2026, 5, 1) })).toHaveLength(7);
  });

  it('moves every user rule up by one only when priority 1 is taken', () => {
    const out = shieldPolicy('app', JSON.stringify({ rules: [rule(5, { description: 'b' }), rule(1, { description: 'a', selection: { tagStatus: 'untagged', countType: 'imageCountMoreThan', countNumber: 1 } })] }));
    const rules = JSON.parse(out.text).rules;
    expect(rules.map((r: { rulePriority: number }) => r.rulePriority)).toEqual([1, 2, 6]);
    expect(out).toMatchObject({ changed: true, renumbered: true, priorityChanges: [[1, 2], [5, 6]] });
    const free = shieldPolicy('app', JSON.stringify({ rules: [rule(3)] }));
    expect(free).toMatchObject({ changed: true, renumbered: false, priorityChanges: [] });
    expect(JSON.parse(free.text).rules.map((r: { rulePriority: number }) => r.rulePriority)).toEqual([1, 3]);
  });

  it('leaves a policy that already starts with the shield untouched, and moves a shield that is not first', () => {
    const already = JSON.stringify({ rules: [shieldRule(1), rule(2)] }, null, 2);
    expect(shieldPolicy('app', already)).toEqual({ text: already, changed: false, renumbered: false, priorityChanges: [] });
    const buried = shieldPolicy('app', JSON.stringify({ rules: [rule(1), { ...shieldRule(2), rulePriority: 2 }].map((r, i) => (i === 0 ? { ...r, selection: { tagStatus: 'untagged', countType: 'imageCountMoreThan', countNumber: 1 } } : r)) }));
    const rules = JSON.parse(buried.text).rules;
    expect(rules).toHaveLength(2);
    expect(rules[0].description).toMatch(/gantry-guard/);
    expect(rules[1].rulePriority).toBe(2);
  });

  it('refuses a user rule that uses the reserved prefix and a policy ECR would reject', () => {
    const clash = { rulePriority: 1, selection: { tagStatus: 'tagged', tagPrefixList: ['gantry-keep-'], countType: 'sinceImagePushed', countUnit: 'days', countNumber: 3 }, action: { type: 'expire' } };
    expect(() => shieldPolicy('app', JSON.stringify({ rules: [clash] }))).toThrow(/reserves for its protection tags/);
    expect(() => shieldPolicy('app', '{"rules": []}' + ' '.repeat(100))).toThrow(/lifecycle policy of repository app does not validate/);
  });
});

describe('protection tags', () => {
  it('are unique per image, and fall back to the full digest when the short tag is taken by another image', () => {
    const d = `sha256:${'ab'.repeat(32)}`;
    expect(protectionTag(d)).toBe('gantry-keep-abababababab');
    expect(protectionTag(d, () => 'sha256:other')).toBe(`gantry-keep-${'ab'.repeat(32)}`);
    expect(protectionTag(d, () => d)).toBe('gantry-keep-abababababab');
  });
});

describe('image references', () => {
  it('parses hosts, tags and digests like Docker', () => {
    const digest = `sha256:${'0'.repeat(64)}`;
    expect(parseImage('123456789012.dkr.ecr.us-east-1.amazonaws.com/team/app:v1')).toEqual({ host: '123456789012.dkr.ecr.us-east-1.amazonaws.com', repository: 'team/app', tag: 'v1' });
    expect(parseImage(`127.0.0.1:5000/app@${digest}`)).toEqual({ host: '127.0.0.1:5000', repository: 'app', digest });
    expect(parseImage(`localhost/app:v1@${digest}`)).toEqual({ host: 'localhost', repository: 'app', tag: 'v1', digest });
    expect(parseImage('nginx')).toEqual({ host: '', repository: 'nginx' });
    expect(parseImage('library/nginx:1.27')).toEqual({ host: '', repository: 'library/nginx', tag: '1.27' });
    expect(parseImage('app@sha256:short')).toBeUndefined();
  });

  it('maps references to repositories by the repository URIs ECR reports', () => {
    const index = new RegistryIndex([
      { repositoryName: 'team/app', repositoryUri: '123456789012.dkr.ecr.us-east-1.amazonaws.com/team/app' },
      { repositoryName: 'local', repositoryUri: '127.0.0.1:5000/local' },
    ]);
    expect(index.repositoryOf(parseImage('123456789012.dkr.ecr.us-east-1.amazonaws.com/team/app:v1')!)).toBe('team/app');
    expect(index.repositoryOf(parseImage('123456789012.dkr.ecr.eu-west-1.amazonaws.com/team/app:v1')!)).toBeUndefined();
    expect(index.repositoryOf(parseImage('127.0.0.1:5000/local:v1')!)).toBe('local');
    expect(index.repositoryOf(parseImage('team/app:v1')!)).toBeUndefined();
    expect(index.repositoryOf(parseImage('team/app:v1')!, { allowBareName: true })).toBe('team/app');
  });
});
