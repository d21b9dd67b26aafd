import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import {
  CreateScheduleCommand,
  CreateScheduleGroupCommand,
  DeleteScheduleCommand,
  GetScheduleCommand,
  ListSchedulesCommand,
  paginateListSchedules,
} from '@aws-sdk/client-scheduler';
import { rejection, startEcrHarness } from './ecr-harness.js';

const target = (rev: number) => ({
  Arn: 'arn:aws:ecs:us-east-1:123456789012:cluster/prod',
  RoleArn: 'arn:aws:iam::123456789012:role/scheduler',
  EcsParameters: { TaskDefinitionArn: `arn:aws:ecs:us-east-1:123456789012:task-definition/cleanup:${rev}`, TaskCount: 1 },
});

describe('EventBridge Scheduler schedules (SDK over restJson1)', () => {
  let h: Awaited<ReturnType<typeof startEcrHarness>>;
  beforeAll(async () => {
    h = await startEcrHarness();
  });
  afterAll(async () => h.stop());

  it('creates a schedule and returns its ECS target from GetSchedule', async () => {
    const created = await h.scheduler.send(new CreateScheduleCommand({ Name: 'cleanup', ScheduleExpression: 'rate(1 day)', FlexibleTimeWindow: { Mode: 'OFF' }, Target: target(4) }));
    expect(created.ScheduleArn).toBe('arn:aws:scheduler:us-east-1:123456789012:schedule/default/cleanup');
    const got = await h.scheduler.send(new GetScheduleCommand({ Name: 'cleanup' }));
    expect(got).toMatchObject({ Name: 'cleanup', GroupName: 'default', State: 'ENABLED', ScheduleExpression: 'rate(1 day)', FlexibleTimeWindow: { Mode: 'OFF' } });
    expect(got.Target?.EcsParameters?.TaskDefinitionArn).toBe('arn:aws:ecs:us-east-1:123456789012:task-definition/cleanup:4');
    expect(got.CreationDate).toBeInstanceOf(Date);
    const dup = await rejection(h.scheduler.send(new CreateScheduleCommand({ Name: 'cleanup', ScheduleExpression: 'rate(1 day)', FlexibleTimeWindow: { Mode: 'OFF' }, Target: target(4) })));
    expect(dup.name).toBe('ConflictException');
  });

  it('lists schedules by group and prefix with paging', async () => {
    await h.scheduler.send(new CreateScheduleGroupCommand({ Name: 'jobs' }));
    for (let i = 0; i < 5; i++) {
      await h.scheduler.send(new CreateScheduleCommand({ Name: `job-${i}`, GroupName: 'jobs', ScheduleExpression: 'cron(0 * * * ? *)', FlexibleTimeWindow: { Mode: 'OFF' }, Target: target(i + 1) }));
    }
    const names: string[] = [];
    let pages = 0;
    for await (const page of paginateListSchedules({ client: h.scheduler, pageSize: 2 }, { GroupName: 'jobs', NamePrefix: 'job-' })) {
      pages++;
      names.push(...page.Schedules!.map((s) => s.Name!));
      expect(page.Schedules!.every((s) => s.GroupName === 'jobs' && s.Target?.Arn === target(0).Arn)).toBe(true);
    }
    expect(pages).toBe(3);
    expect(names).toEqual(['job-0', 'job-1', 'job-2', 'job-3', 'job-4']);
    const everything = await h.scheduler.send(new ListSchedulesCommand({}));
    expect(everything.Schedules!.map((s) => s.Name)).toEqual(['cleanup', 'job-0', 'job-1', 'job-2', 'job-3', 'job-4']);
    const inGroup = await h.scheduler.send(new GetScheduleCommand({ Name: 'job-3', GroupName: 'jobs' }));
    expect(inGroup.Target?.EcsParameters?.TaskDefinitionArn).toMatch(/cleanup:4$/);
  });

  it('returns ResourceNotFoundException and ValidationException as documented', async () => {
    const missing = await rejection(h.scheduler.send(new GetScheduleCommand({ Name: 'nope' })));
    expect(missing.name).toBe('ResourceNotFoundException');
    expect(missing.message).toBe('Schedule nope does not exist.');
    expect((await rejection(h.scheduler.send(new GetScheduleCommand({ Name: 'job-1' })))).name).toBe('ResourceNotFoundException');
    expect((await rejection(h.scheduler.send(new CreateScheduleCommand({ Name: 'x', GroupName: 'ghost', ScheduleExpression: 'rate(1 day)', FlexibleTimeWindow: { Mode: 'OFF' }, Target: target(1) })))).name).toBe(
      'ResourceNotFoundException',
    );
    expect((await rejection(h.scheduler.send(new CreateScheduleCommand({ Name: 'x', ScheduleExpression: 'every day', FlexibleTimeWindow: { Mode: 'OFF' }, Target: target(1) })))).name).toBe(
      'ValidationException',
    );
    expect((await rejection(h.scheduler.send(new ListSchedulesCommand({ MaxResults: 1000 })))).name).toBe('ValidationException');
    await h.scheduler.send(new DeleteScheduleCommand({ Name: 'cleanup' }));
    expect((await rejection(h.scheduler.send(new GetScheduleCommand({ Name: 'cleanup' })))).name).toBe('ResourceNotFoundException');
  });
});
