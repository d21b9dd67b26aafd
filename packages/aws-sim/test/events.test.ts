import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { DescribeRuleCommand, ListRulesCommand, ListTargetsByRuleCommand, PutRuleCommand, PutTargetsCommand } from '@aws-sdk/client-eventbridge';
import { rejection, startEcrHarness } from './ecr-harness.js';

const taskDef = (family: string, rev: number) => `arn:aws:ecs:us-east-1:123456789012:task-definition/${family}:${rev}`;

describe('EventBridge rules and targets (SDK over HTTP)', () => {
  let h: Awaited<ReturnType<typeof startEcrHarness>>;
  beforeAll(async () => {
    h = await startEcrHarness();
  });
  afterAll(async () => h.stop());

  it('creates scheduled rules with ECS targets and lists them back', async () => {
    const { RuleArn } = await h.events.send(new PutRuleCommand({ Name: 'nightly-report', ScheduleExpression: 'cron(0 3 * * ? *)', Description: 'report' }));
    expect(RuleArn).toBe('arn:aws:events:us-east-1:123456789012:rule/nightly-report');
    const put = await h.events.send(
      new PutTargetsCommand({
        Rule: 'nightly-report',
        Targets: [{ Id: 'task', Arn: 'arn:aws:ecs:us-east-1:123456789012:cluster/prod', RoleArn: 'arn:aws:iam::123456789012:role/events', EcsParameters: { TaskDefinitionArn: taskDef('report', 3), TaskCount: 1, LaunchType: 'FARGATE' } }],
      }),
    );
    expect(put.FailedEntryCount).toBe(0);
    const targets = await h.events.send(new ListTargetsByRuleCommand({ Rule: 'nightly-report' }));
    expect(targets.Targets).toHaveLength(1);
    expect(targets.Targets![0]!.EcsParameters?.TaskDefinitionArn).toBe(taskDef('report', 3));
    const described = await h.events.send(new DescribeRuleCommand({ Name: 'nightly-report' }));
    expect(described).toMatchObject({ Name: 'nightly-report', ScheduleExpression: 'cron(0 3 * * ? *)', State: 'ENABLED', EventBusName: 'default' });
  });

  it('filters ListRules by NamePrefix and pages with Limit/NextToken', async () => {
    for (let i = 0; i < 7; i++) await h.events.send(new PutRuleCommand({ Name: `batch-${i}`, ScheduleExpression: 'rate(1 hour)' }));
    const names: string[] = [];
    let pages = 0;
    let token: string | undefined;
    do {
      const page = await h.events.send(new ListRulesCommand({ NamePrefix: 'batch-', Limit: 3, NextToken: token }));
      pages++;
      names.push(...page.Rules!.map((r) => r.Name!));
      token = page.NextToken;
    } while (token);
    expect(pages).toBe(3);
    expect(names).toEqual(['batch-0', 'batch-1', 'batch-2', 'batch-3', 'batch-4', 'batch-5', 'batch-6']);
    const all = await h.events.send(new ListRulesCommand({}));
    expect(all.Rules!.map((r) => r.Name)).toContain('nightly-report');
  });

  it('returns the documented errors for missing rules and bad parameters', async () => {
    const missing = await rejection(h.events.send(new ListTargetsByRuleCommand({ Rule: 'nope' })));
    expect(missing.name).toBe('ResourceNotFoundException');
    expect(missing.message).toBe('Rule nope does not exist on EventBus default.');
    expect((await rejection(h.events.send(new DescribeRuleCommand({ Name: 'nope' })))).name).toBe('ResourceNotFoundException');
    expect((await rejection(h.events.send(new PutRuleCommand({ Name: 'no-schedule' })))).name).toBe('ValidationException');
    expect((await rejection(h.events.send(new PutRuleCommand({ Name: 'bad name!', ScheduleExpression: 'rate(1 day)' })))).name).toBe('ValidationException');
    expect((await rejection(h.events.send(new ListRulesCommand({ Limit: 500 })))).name).toBe('ValidationException');
  });
});
