import { describe, expect, it } from '@jest/globals';
import { QuotaPacer, TokenBucket, quotaGroupOf, AWS_QUOTA_GROUPS } from '../src/index.js';

/** A clock that only moves when something sleeps: the pacer's waits become exact numbers. */
function fakeTime() {
  const t = { now: 0 };
  // Time moves on the next turn of the event loop, after every call already let through has been seen.
  return { t, now: () => t.now, sleep: (ms: number) => new Promise<void>((r) => setImmediate(() => ((t.now += ms), r()))) };
}

describe('AWS quota table', () => {
  it('maps actions to the published ECS categories and ECR rates', () => {
    expect(quotaGroupOf('ecs', 'DescribeTaskDefinition')).toMatchObject({ id: 'ecs:task-definition-read', capacity: 50, refillPerSecond: 20 });
    expect(quotaGroupOf('ecs', 'ListTaskDefinitions')?.id).toBe('ecs:task-definition-read');
    expect(quotaGroupOf('ecs', 'DescribeServices')).toMatchObject({ capacity: 100, refillPerSecond: 20 });
    expect(quotaGroupOf('ecs', 'UpdateService')).toMatchObject({ capacity: 50, refillPerSecond: 5 });
    expect(quotaGroupOf('ecr', 'BatchGetImage')).toMatchObject({ capacity: 2000, refillPerSecond: 2000 });
    expect(quotaGroupOf('ecr', 'DescribeImages')).toBeUndefined();
    // No action is in two groups.
    const actions = AWS_QUOTA_GROUPS.flatMap((g) => g.actions.map((a) => `${g.service}:${a}`));
    expect(new Set(actions).size).toBe(actions.length);
  });
});

describe('TokenBucket', () => {
  it('refills continuously or in whole-second steps', () => {
    const t = { now: 0 };
    const smooth = new TokenBucket({ capacity: 2, refillPerSecond: 4 }, { now: () => t.now });
    const stepped = new TokenBucket({ capacity: 2, refillPerSecond: 4 }, { now: () => t.now, refillEveryMs: 1000 });
    for (const b of [smooth, stepped]) expect([b.tryTake(), b.tryTake(), b.tryTake()]).toEqual([true, true, false]);
    expect(smooth.msUntilToken()).toBe(250);
    expect(stepped.msUntilToken()).toBe(1000);
    t.now = 250;
    expect(smooth.tryTake()).toBe(true);
    expect(stepped.tryTake()).toBe(false);
  });
});

describe('QuotaPacer', () => {
  it('keeps a burst of calls to its share of the bucket: 40 % of 50 at once, then 40 % of 20 a second', async () => {
    const { t, now, sleep } = fakeTime();
    const pacer = new QuotaPacer({ share: 0.4, now, sleep });
    const at: number[] = [];
    await Promise.all(Array.from({ length: 36 }, () => pacer.take('ecs', 'DescribeTaskDefinition').then(() => at.push(t.now))));
    // 20 at once (40 % of 50), then 8 a second: 16 more take 2 seconds.
    expect(at.filter((x) => x === 0)).toHaveLength(20);
    expect(Math.max(...at)).toBe(2000);
    const use = pacer.use();
    expect(use).toMatchObject({ share: 0.4, throttled: 0, groups: [{ group: 'ecs:task-definition-read', calls: 36 }] });
    expect(use.waitedMs).toBeGreaterThan(0);
  });

  it('does not pace actions without a published quota', async () => {
    const { t, now, sleep } = fakeTime();
    const pacer = new QuotaPacer({ share: 0.1, now, sleep });
    for (let i = 0; i < 1000; i++) await pacer.take('ecr', 'DescribeImages');
    expect(t.now).toBe(0);
    expect(pacer.use().groups).toEqual([]);
  });

  it('halves its pace for a group AWS throttles, and recovers as calls pass', async () => {
    const { t, now, sleep } = fakeTime();
    const pacer = new QuotaPacer({ share: 1, now, sleep });
    pacer.throttled('ecs', 'DescribeServices');
    // After a throttle the bucket starts empty at half the refill (10 a second): 10 calls take a second.
    const start = t.now;
    for (let i = 0; i < 10; i++) await pacer.take('ecs', 'DescribeServices');
    expect(t.now - start).toBe(1000);
    expect(pacer.use().throttled).toBe(1);
    for (let i = 0; i < 200; i++) pacer.succeeded('ecs', 'DescribeServices');
    // Back at full pace: 20 a second.
    const again = t.now;
    for (let i = 0; i < 40; i++) await pacer.take('ecs', 'DescribeServices');
    expect(t.now - again).toBeLessThanOrEqual(2000);
  });

  it('rejects a share outside (0, 1]', () => {
    expect(() => new QuotaPacer({ share: 0 })).toThrow('quota share must be more than 0 and at most 1, got 0');
    expect(() => new QuotaPacer({ share: 1.5 })).toThrow('got 1.5');
  });
});
