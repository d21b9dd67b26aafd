import type { SimClock } from '../clock.js';
import { AwsError } from '../protocol/errors.js';
import type { JsonService } from '../protocol/types.js';
import { paginate } from '../ecr/paging.js';

export interface EventsOptions {
  clock: SimClock;
  accountId: string;
  region: string;
}

interface Rule {
  Name: string;
  EventBusName: string;
  ScheduleExpression?: string;
  EventPattern?: string;
  State: string;
  Description?: string;
  RoleArn?: string;
  seq: number;
  targets: Map<string, Record<string, unknown>>;
}

const RULE_NAME = /^[.\-_A-Za-z0-9]{1,64}$/;
/** "You can add up to five targets to a rule." https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-quota.html */
const MAX_TARGETS_PER_RULE = 5;

const validation = (message: string) => new AwsError('ValidationException', message);
const notFound = (rule: string, bus: string) => new AwsError('ResourceNotFoundException', `Rule ${rule} does not exist on EventBus ${bus}.`);

/**
 * The EventBridge rule calls a guard needs to find scheduled ECS tasks (rules whose targets carry
 * EcsParameters.TaskDefinitionArn), over JSON 1.1 (`X-Amz-Target: AWSEvents.<Operation>`).
 * https://docs.aws.amazon.com/eventbridge/latest/APIReference/API_Operations.html
 */
export function createEvents(options: EventsOptions): { service: JsonService; rules: Map<string, Rule> } {
  const rules = new Map<string, Rule>();
  let seq = 0;
  const key = (bus: string, name: string) => `${bus}\u0000${name}`;
  const busOf = (input: any): string => {
    const bus = String(input.EventBusName ?? 'default');
    // A bus may be named by ARN; its name is the last path component.
    return bus.startsWith('arn:') ? bus.slice(bus.lastIndexOf('/') + 1) : bus;
  };
  const arnOf = (rule: Rule) =>
    `arn:aws:events:${options.region}:${options.accountId}:rule/${rule.EventBusName === 'default' ? '' : `${rule.EventBusName}/`}${rule.Name}`;
  const find = (input: any, field: 'Name' | 'Rule'): Rule => {
    const bus = busOf(input);
    const name = input[field];
    if (typeof name !== 'string' || !RULE_NAME.test(name)) throw validation(`1 validation error detected: Value '${name}' at '${field.toLowerCase()}' failed to satisfy constraint: Member must satisfy regular expression pattern: [\\.\\-_A-Za-z0-9]+`);
    const rule = rules.get(key(bus, name));
    if (!rule) throw notFound(name, bus);
    return rule;
  };
  const view = (rule: Rule) => ({
    Name: rule.Name,
    Arn: arnOf(rule),
    EventPattern: rule.EventPattern,
    ScheduleExpression: rule.ScheduleExpression,
    State: rule.State,
    Description: rule.Description,
    RoleArn: rule.RoleArn,
    EventBusName: rule.EventBusName,
  });
  const limitOf = (limit: unknown) => (limit === undefined ? undefined : Number(limit));

  const operations: JsonService['operations'] = {
    /** https://docs.aws.amazon.com/eventbridge/latest/APIReference/API_PutRule.html */
    PutRule: (input) => {
      const name = input.Name;
      if (typeof name !== 'string' || !RULE_NAME.test(name)) throw validation(`1 validation error detected: Value '${name}' at 'name' failed to satisfy constraint: Member must satisfy regular expression pattern: [\\.\\-_A-Za-z0-9]+`);
      if (!input.ScheduleExpression && !input.EventPattern) throw validation('Parameter(s) EventPattern or ScheduleExpression must be specified.');
      if (input.ScheduleExpression && !/^(rate|cron)\(.+\)$/.test(input.ScheduleExpression)) throw validation('Parameter ScheduleExpression is not valid.');
      if (input.EventPattern) {
        try {
          JSON.parse(input.EventPattern);
        } catch {
          throw new AwsError('InvalidEventPatternException', 'Event pattern is not valid. Reason: not valid JSON');
        }
      }
      const bus = busOf(input);
      const existing = rules.get(key(bus, name));
      const rule: Rule = {
        Name: name,
        EventBusName: bus,
        ScheduleExpression: input.ScheduleExpression,
        EventPattern: input.EventPattern,
        State: input.State ?? 'ENABLED',
        Description: input.Description,
        RoleArn: input.RoleArn,
        seq: existing?.seq ?? seq++,
        targets: existing?.targets ?? new Map(),
      };
      rules.set(key(bus, name), rule);
      return { RuleArn: arnOf(rule) };
    },
    DescribeRule: (input) => ({ ...view(find(input, 'Name')), CreatedBy: options.accountId }),
    /** https://docs.aws.amazon.com/eventbridge/latest/APIReference/API_DeleteRule.html */
    DeleteRule: (input) => {
      const bus = busOf(input);
      const rule = rules.get(key(bus, input.Name));
      if (!rule) return {};
      if (rule.targets.size > 0) throw validation("Rule can't be deleted since it has targets.");
      rules.delete(key(bus, input.Name));
      return {};
    },
    /** https://docs.aws.amazon.com/eventbridge/latest/APIReference/API_ListRules.html */
    ListRules: (input) => {
      const bus = busOf(input);
      const prefix = String(input.NamePrefix ?? '');
      const matching = [...rules.values()].filter((r) => r.EventBusName === bus && r.Name.startsWith(prefix)).sort((a, b) => a.Name.localeCompare(b.Name));
      const indexed = matching.map((r, i) => ({ r, i }));
      const { page, nextToken } = paginate(indexed, (x) => x.i, { maxResults: limitOf(input.Limit), nextToken: input.NextToken, defaultMax: 100, limit: 100, member: 'limit', errorCode: 'ValidationException' });
      return { Rules: page.map((x) => view(x.r)), NextToken: nextToken };
    },
    /** https://docs.aws.amazon.com/eventbridge/latest/APIReference/API_PutTargets.html */
    PutTargets: (input) => {
      const rule = find(input, 'Rule');
      const targets: Record<string, unknown>[] = input.Targets ?? [];
      if (targets.length < 1 || targets.length > 10) throw validation('1 validation error detected: Value at \'targets\' failed to satisfy constraint: Member must have length between 1 and 10');
      const ids = new Set([...rule.targets.keys(), ...targets.map((t) => String(t.Id))]);
      if (ids.size > MAX_TARGETS_PER_RULE) throw new AwsError('LimitExceededException', `The requested resource exceeds the maximum number allowed. Rule ${rule.Name} can have at most ${MAX_TARGETS_PER_RULE} targets.`);
      const failed = [];
      for (const target of targets) {
        if (!target.Id || !target.Arn) {
          failed.push({ TargetId: target.Id, ErrorCode: 'ValidationException', ErrorMessage: 'Target Id and Arn are required.' });
          continue;
        }
        rule.targets.set(String(target.Id), target);
      }
      return { FailedEntryCount: failed.length, FailedEntries: failed };
    },
    RemoveTargets: (input) => {
      const rule = find(input, 'Rule');
      for (const id of input.Ids ?? []) rule.targets.delete(String(id));
      return { FailedEntryCount: 0, FailedEntries: [] };
    },
    /** https://docs.aws.amazon.com/eventbridge/latest/APIReference/API_ListTargetsByRule.html */
    ListTargetsByRule: (input) => {
      const rule = find(input, 'Rule');
      const indexed = [...rule.targets.values()].map((t, i) => ({ t, i }));
      const { page, nextToken } = paginate(indexed, (x) => x.i, { maxResults: limitOf(input.Limit), nextToken: input.NextToken, defaultMax: 100, limit: 100, member: 'limit', errorCode: 'ValidationException' });
      return { Targets: page.map((x) => x.t), NextToken: nextToken };
    },
  };
  return { service: { name: 'events', targetPrefix: 'AWSEvents', operations }, rules };
}
