import { ListRulesCommand, ListTargetsByRuleCommand } from '@aws-sdk/client-eventbridge';
import { GetScheduleCommand, ListSchedulesCommand, type ScheduleSummary } from '@aws-sdk/client-scheduler';
import { paginate } from '../batch.js';
import type { InventoryContext, InventorySink } from './context.js';

/**
 * Task definitions that EventBridge rules start on a schedule or on events: every target with
 * `EcsParameters.TaskDefinitionArn`. ListRules does not return targets, so each rule costs one
 * ListTargetsByRule call. https://docs.aws.amazon.com/eventbridge/latest/APIReference/API_ListTargetsByRule.html
 */
export async function inventoryEventBridgeRules(ctx: InventoryContext, eventBuses: readonly string[], sink: InventorySink): Promise<void> {
  const { events } = ctx.clients;
  await Promise.all(
    eventBuses.map(async (bus) => {
      const rules = await ctx.blind.attempt(`EventBridge rules on event bus ${bus} (events:ListRules)`, () =>
        paginate(async (NextToken) => {
          const page = await ctx.limit(() => events.send(new ListRulesCommand({ EventBusName: bus, Limit: 100, NextToken })));
          return { items: page.Rules, next: page.NextToken };
        }),
      );
      await Promise.all(
        (rules ?? []).map((rule) =>
          ctx.blind.attempt(`targets of EventBridge rule ${rule.Name} (events:ListTargetsByRule)`, async () => {
            const targets = await paginate(async (NextToken) => {
              const page = await ctx.limit(() => events.send(new ListTargetsByRuleCommand({ Rule: rule.Name, EventBusName: bus, Limit: 100, NextToken })));
              return { items: page.Targets, next: page.NextToken };
            });
            for (const t of targets) {
              const td = t.EcsParameters?.TaskDefinitionArn;
              if (td) sink.taskDefinitions.add(td, { kind: 'scheduled', name: `EventBridge rule ${rule.Name}` });
            }
          }),
        ),
      );
    }),
  );
}

/**
 * Task definitions started by EventBridge Scheduler. ListSchedules returns only the target ARN, so
 * GetSchedule is called just for schedules whose target is an ECS cluster.
 * https://docs.aws.amazon.com/scheduler/latest/APIReference/API_ListSchedules.html
 */
export async function inventorySchedules(ctx: InventoryContext, sink: InventorySink): Promise<void> {
  const { scheduler } = ctx.clients;
  const schedules = await ctx.blind.attempt('EventBridge Scheduler schedules (scheduler:ListSchedules)', () =>
    paginate<ScheduleSummary>(async (NextToken) => {
      const page = await ctx.limit(() => scheduler.send(new ListSchedulesCommand({ MaxResults: 100, NextToken })));
      return { items: page.Schedules, next: page.NextToken };
    }),
  );
  const ecsTargets = (schedules ?? []).filter((s) => /^arn:[^:]+:ecs:[^:]*:[^:]*:cluster\//.test(s.Target?.Arn ?? ''));
  await Promise.all(
    ecsTargets.map((s) =>
      ctx.blind.attempt(`schedule ${s.GroupName ?? 'default'}/${s.Name} (scheduler:GetSchedule)`, async () => {
        const out = await ctx.limit(() => scheduler.send(new GetScheduleCommand({ Name: s.Name, GroupName: s.GroupName })));
        const td = out.Target?.EcsParameters?.TaskDefinitionArn;
        if (td) sink.taskDefinitions.add(td, { kind: 'scheduled', name: `schedule ${s.GroupName ?? 'default'}/${s.Name}` });
      }),
    ),
  );
}
