import type { SimClock } from '../clock.js';
import { AwsError } from '../protocol/errors.js';
import type { RestRoute } from '../protocol/types.js';
import { paginate } from '../ecr/paging.js';

export interface SchedulerOptions {
  clock: SimClock;
  accountId: string;
  region: string;
}

interface Schedule {
  Name: string;
  GroupName: string;
  ScheduleExpression: string;
  ScheduleExpressionTimezone?: string;
  Description?: string;
  State: string;
  StartDate?: Date;
  EndDate?: Date;
  KmsKeyArn?: string;
  ActionAfterCompletion?: string;
  Target: Record<string, unknown>;
  FlexibleTimeWindow: Record<string, unknown>;
  CreationDate: Date;
  LastModificationDate: Date;
  seq: number;
}

const NAME = /^[0-9a-zA-Z-_.]{1,64}$/;
const validation = (message: string) => new AwsError('ValidationException', message, 400);
const notFound = (message: string) => new AwsError('ResourceNotFoundException', message, 404);
const conflict = (message: string) => new AwsError('ConflictException', message, 409);

/**
 * EventBridge Scheduler over restJson1 (paths and field names as in @aws-sdk/client-scheduler's model):
 * schedules and schedule groups, enough for a guard to find the task definitions scheduled ECS tasks run.
 * https://docs.aws.amazon.com/scheduler/latest/APIReference/API_Operations.html
 */
export function createScheduler(options: SchedulerOptions): { routes: RestRoute[]; schedules: Map<string, Schedule> } {
  const schedules = new Map<string, Schedule>();
  const groups = new Map<string, { Name: string; CreationDate: Date; LastModificationDate: Date }>();
  let seq = 0;
  const key = (group: string, name: string) => `${group}\u0000${name}`;
  const arnOf = (s: Schedule) => `arn:aws:scheduler:${options.region}:${options.accountId}:schedule/${s.GroupName}/${s.Name}`;
  const groupArn = (name: string) => `arn:aws:scheduler:${options.region}:${options.accountId}:schedule-group/${name}`;
  const groupExists = (name: string) => name === 'default' || groups.has(name);
  const checkName = (name: string, member = 'name') => {
    if (!NAME.test(name)) throw validation(`1 validation error detected: Value '${name}' at '${member}' failed to satisfy constraint: Member must satisfy regular expression pattern: ^[0-9a-zA-Z-_.]+$`);
  };
  const toDate = (v: unknown) => (v === undefined || v === null ? undefined : new Date(typeof v === 'number' ? v * 1000 : String(v)));

  const fromBody = (name: string, body: any, previous?: Schedule): Schedule => {
    // https://docs.aws.amazon.com/scheduler/latest/APIReference/API_CreateSchedule.html
    if (!body.ScheduleExpression) throw validation('1 validation error detected: Value null at \'scheduleExpression\' failed to satisfy constraint: Member must not be null');
    if (!/^(at|rate|cron)\(.+\)$/.test(body.ScheduleExpression)) throw validation(`Invalid Schedule Expression ${body.ScheduleExpression}.`);
    if (!body.Target?.Arn || !body.Target?.RoleArn) throw validation('1 validation error detected: Value null at \'target\' failed to satisfy constraint: Target Arn and RoleArn must not be null');
    if (!body.FlexibleTimeWindow?.Mode) throw validation('1 validation error detected: Value null at \'flexibleTimeWindow\' failed to satisfy constraint: Member must not be null');
    const now = options.clock.now();
    return {
      Name: name,
      GroupName: body.GroupName ?? 'default',
      ScheduleExpression: body.ScheduleExpression,
      ScheduleExpressionTimezone: body.ScheduleExpressionTimezone,
      Description: body.Description,
      State: body.State ?? 'ENABLED',
      StartDate: toDate(body.StartDate),
      EndDate: toDate(body.EndDate),
      KmsKeyArn: body.KmsKeyArn,
      ActionAfterCompletion: body.ActionAfterCompletion ?? 'NONE',
      Target: body.Target,
      FlexibleTimeWindow: body.FlexibleTimeWindow,
      CreationDate: previous?.CreationDate ?? now,
      LastModificationDate: now,
      seq: previous?.seq ?? seq++,
    };
  };
  const get = (name: string, group: string | null): Schedule => {
    const g = group ?? 'default';
    const s = schedules.get(key(g, name));
    if (!s) throw notFound(`Schedule ${name} does not exist.`);
    return s;
  };
  const view = (s: Schedule) => {
    const { seq: _seq, ...rest } = s;
    return { Arn: arnOf(s), ...rest };
  };
  const route = (operation: string, method: string, path: string, handler: RestRoute['handler']): RestRoute => ({ service: 'scheduler', operation, method, path, handler });

  const routes: RestRoute[] = [
    route('CreateSchedule', 'POST', '/schedules/{Name}', ({ params, body }) => {
      checkName(params.Name!);
      const group = body.GroupName ?? 'default';
      if (!groupExists(group)) throw notFound(`Schedule group ${group} does not exist.`);
      if (schedules.has(key(group, params.Name!))) throw conflict(`Schedule ${params.Name} already exists.`);
      const s = fromBody(params.Name!, body);
      schedules.set(key(group, s.Name), s);
      return { ScheduleArn: arnOf(s) };
    }),
    route('UpdateSchedule', 'PUT', '/schedules/{Name}', ({ params, body }) => {
      const previous = get(params.Name!, body.GroupName ?? null);
      const s = fromBody(params.Name!, body, previous);
      schedules.set(key(s.GroupName, s.Name), s);
      return { ScheduleArn: arnOf(s) };
    }),
    route('GetSchedule', 'GET', '/schedules/{Name}', ({ params, query }) => view(get(params.Name!, query.get('groupName')))),
    route('DeleteSchedule', 'DELETE', '/schedules/{Name}', ({ params, query }) => {
      const s = get(params.Name!, query.get('groupName'));
      schedules.delete(key(s.GroupName, s.Name));
      return {};
    }),
    /** https://docs.aws.amazon.com/scheduler/latest/APIReference/API_ListSchedules.html */
    route('ListSchedules', 'GET', '/schedules', ({ query }) => {
      const group = query.get('ScheduleGroup');
      const prefix = query.get('NamePrefix') ?? '';
      const state = query.get('State');
      const max = query.get('MaxResults');
      const matching = [...schedules.values()]
        .filter((s) => (!group || s.GroupName === group) && s.Name.startsWith(prefix) && (!state || s.State === state))
        .sort((a, b) => a.seq - b.seq);
      const { page, nextToken } = paginate(matching, (s) => s.seq, {
        maxResults: max === null ? undefined : Number(max),
        nextToken: query.get('NextToken') ?? undefined,
        defaultMax: 100,
        limit: 100,
        errorCode: 'ValidationException',
      });
      return {
        Schedules: page.map((s) => ({
          Arn: arnOf(s),
          Name: s.Name,
          GroupName: s.GroupName,
          State: s.State,
          CreationDate: s.CreationDate,
          LastModificationDate: s.LastModificationDate,
          Target: { Arn: s.Target.Arn },
        })),
        NextToken: nextToken,
      };
    }),
    route('CreateScheduleGroup', 'POST', '/schedule-groups/{Name}', ({ params }) => {
      checkName(params.Name!);
      if (groupExists(params.Name!)) throw conflict(`Schedule group ${params.Name} already exists.`);
      const now = options.clock.now();
      groups.set(params.Name!, { Name: params.Name!, CreationDate: now, LastModificationDate: now });
      return { ScheduleGroupArn: groupArn(params.Name!) };
    }),
    route('GetScheduleGroup', 'GET', '/schedule-groups/{Name}', ({ params }) => {
      if (!groupExists(params.Name!)) throw notFound(`Schedule group ${params.Name} does not exist.`);
      const g = groups.get(params.Name!);
      return { Arn: groupArn(params.Name!), Name: params.Name, State: 'ACTIVE', CreationDate: g?.CreationDate, LastModificationDate: g?.LastModificationDate };
    }),
  ];
  return { routes, schedules };
}
