import type { SimClock } from '../clock.js';
import { AwsError } from '../protocol/errors.js';
import type { JsonService } from '../protocol/types.js';
import type { ControlHandler } from '../protocol/server.js';

/** How ECS's awslogs driver writes container output. */
export interface LogSink {
  append(group: string, stream: string, message: string, at: number): void;
  hasGroup(group: string): boolean;
  createGroup(group: string, at: number): void;
}

interface LogEvent {
  timestamp: number;
  message: string;
  ingestionTime: number;
  eventId: string;
}

interface LogStream {
  name: string;
  createdAt: number;
  events: LogEvent[];
  lastIngestionTime?: number;
}

interface LogGroup {
  name: string;
  createdAt: number;
  retentionInDays?: number;
  streams: Map<string, LogStream>;
}

const notFound = (what: 'group' | 'stream') => new AwsError('ResourceNotFoundException', `The specified log ${what} does not exist.`);

/**
 * CloudWatch Logs (JSON 1.1, target prefix Logs_20140328): the calls Gantry and the awslogs driver use.
 * https://docs.aws.amazon.com/AmazonCloudWatchLogs/latest/APIReference/API_GetLogEvents.html
 */
export function createLogs({ clock, accountId, region }: { clock: SimClock; accountId: string; region: string }) {
  const groups = new Map<string, LogGroup>();
  let eventSeq = 0;

  const group = (name: unknown): LogGroup => {
    if (typeof name !== 'string' || !name) throw new AwsError('InvalidParameterException', '1 validation error detected: Value null at \'logGroupName\' failed to satisfy constraint: Member must not be null');
    const g = groups.get(name);
    if (!g) throw notFound('group');
    return g;
  };
  const stream = (g: LogGroup, name: unknown): LogStream => {
    const s = g.streams.get(String(name));
    if (!s) throw notFound('stream');
    return s;
  };
  const createGroup = (name: string, at: number) => {
    if (groups.has(name)) throw new AwsError('ResourceAlreadyExistsException', 'The specified log group already exists');
    groups.set(name, { name, createdAt: at, streams: new Map() });
  };
  const createStream = (g: LogGroup, name: string, at: number) => {
    if (g.streams.has(name)) throw new AwsError('ResourceAlreadyExistsException', 'The specified log stream already exists');
    const s: LogStream = { name, createdAt: at, events: [] };
    g.streams.set(name, s);
    return s;
  };
  const insert = (s: LogStream, timestamp: number, message: string, ingestionTime: number) => {
    const e: LogEvent = { timestamp, message, ingestionTime, eventId: String(++eventSeq).padStart(56, '0') };
    // Events usually arrive in order; keep the stream sorted by timestamp without a full sort.
    let i = s.events.length;
    while (i > 0 && s.events[i - 1]!.timestamp > timestamp) i--;
    s.events.splice(i, 0, e);
    s.lastIngestionTime = ingestionTime;
  };
  const groupArn = (name: string) => `arn:aws:logs:${region}:${accountId}:log-group:${name}`;

  const sink: LogSink = {
    append(groupName, streamName, message, at) {
      const g = groups.get(groupName);
      if (!g) return;
      const s = g.streams.get(streamName) ?? createStream(g, streamName, at);
      insert(s, at, message, at);
    },
    hasGroup: (name) => groups.has(name),
    createGroup: (name, at) => {
      if (!groups.has(name)) createGroup(name, at);
    },
  };

  const page = <T>(items: T[], token: unknown, limit: number): { items: T[]; nextToken?: string } => {
    const start = token ? Number(Buffer.from(String(token), 'base64url').toString()) || 0 : 0;
    const slice = items.slice(start, start + limit);
    return { items: slice, nextToken: start + limit < items.length ? Buffer.from(String(start + limit)).toString('base64url') : undefined };
  };

  const describeStream = (g: LogGroup, s: LogStream) => ({
    logStreamName: s.name,
    creationTime: s.createdAt,
    firstEventTimestamp: s.events[0]?.timestamp,
    lastEventTimestamp: s.events.at(-1)?.timestamp,
    lastIngestionTime: s.lastIngestionTime,
    arn: `${groupArn(g.name)}:log-stream:${s.name}`,
    storedBytes: 0,
  });

  const service: JsonService = {
    name: 'logs',
    targetPrefix: 'Logs_20140328',
    operations: {
      CreateLogGroup: (input) => (createGroup(String(input.logGroupName ?? ''), clock.nowMs()), {}),
      DeleteLogGroup: (input) => (group(input.logGroupName), groups.delete(input.logGroupName), {}),
      DescribeLogGroups: (input) => {
        const prefix = String(input.logGroupNamePrefix ?? '');
        const all = [...groups.values()].filter((g) => g.name.startsWith(prefix)).sort((a, b) => a.name.localeCompare(b.name));
        const p = page(all, input.nextToken, Math.min(Number(input.limit ?? 50), 50));
        return { logGroups: p.items.map((g) => ({ logGroupName: g.name, creationTime: g.createdAt, arn: `${groupArn(g.name)}:*`, logGroupArn: groupArn(g.name), retentionInDays: g.retentionInDays, storedBytes: 0 })), nextToken: p.nextToken };
      },
      PutRetentionPolicy: (input) => ((group(input.logGroupName).retentionInDays = Number(input.retentionInDays)), {}),
      CreateLogStream: (input) => (createStream(group(input.logGroupName), String(input.logStreamName ?? ''), clock.nowMs()), {}),
      DescribeLogStreams: (input) => {
        const g = group(input.logGroupName);
        const prefix = String(input.logStreamNamePrefix ?? '');
        if (prefix && input.orderBy === 'LastEventTime') throw new AwsError('InvalidParameterException', 'Cannot order by LastEventTime with a logStreamNamePrefix.');
        let all = [...g.streams.values()].filter((s) => s.name.startsWith(prefix));
        all = input.orderBy === 'LastEventTime' ? all.sort((a, b) => (a.events.at(-1)?.timestamp ?? 0) - (b.events.at(-1)?.timestamp ?? 0)) : all.sort((a, b) => a.name.localeCompare(b.name));
        if (input.descending) all.reverse();
        const p = page(all, input.nextToken, Math.min(Number(input.limit ?? 50), 50));
        return { logStreams: p.items.map((s) => describeStream(g, s)), nextToken: p.nextToken };
      },
      PutLogEvents: (input) => {
        const s = stream(group(input.logGroupName), input.logStreamName);
        const now = clock.nowMs();
        for (const e of (input.logEvents ?? []) as { timestamp: number; message: string }[]) insert(s, Number(e.timestamp), String(e.message), now);
        return { nextSequenceToken: String(eventSeq) };
      },
      GetLogEvents: (input) => getLogEvents(stream(group(input.logGroupName), input.logStreamName), input),
      FilterLogEvents: (input) => {
        const g = group(input.logGroupName);
        const names: string[] | undefined = input.logStreamNames;
        const prefix = String(input.logStreamNamePrefix ?? '');
        const match = compileFilter(String(input.filterPattern ?? ''));
        const start = input.startTime === undefined ? -Infinity : Number(input.startTime);
        const end = input.endTime === undefined ? Infinity : Number(input.endTime);
        const events: (LogEvent & { logStreamName: string })[] = [];
        for (const s of g.streams.values()) {
          if (names && !names.includes(s.name)) continue;
          if (!s.name.startsWith(prefix)) continue;
          for (const e of s.events) if (e.timestamp >= start && e.timestamp <= end && match(e.message)) events.push({ ...e, logStreamName: s.name });
        }
        events.sort((a, b) => a.timestamp - b.timestamp || a.eventId.localeCompare(b.eventId));
        const p = page(events, input.nextToken, Math.min(Number(input.limit ?? 10000), 10000));
        return { events: p.items, nextToken: p.nextToken, searchedLogStreams: [] };
      },
    },
  };

  const control: Record<string, ControlHandler> = {
    logGroups: () => ({ logGroups: [...groups.keys()] }),
  };
  return { service, control, sink };
}

/**
 * GetLogEvents paging: tokens are positions in the stream; at the end the same forward token comes
 * back, which is how the CLI and SDK callers know to stop. Without startFromHead the newest events
 * come first (the last page).
 * https://docs.aws.amazon.com/AmazonCloudWatchLogs/latest/APIReference/API_GetLogEvents.html
 */
function getLogEvents(s: LogStream, input: any) {
  const limit = Math.min(Math.max(Number(input.limit ?? 10000), 1), 10000);
  const start = input.startTime === undefined ? -Infinity : Number(input.startTime);
  const end = input.endTime === undefined ? Infinity : Number(input.endTime);
  const inRange = s.events.filter((e) => e.timestamp >= start && e.timestamp < end);
  let from: number;
  let to: number;
  const token = typeof input.nextToken === 'string' ? /^([fb])\/(\d+)$/.exec(input.nextToken) : null;
  if (input.nextToken !== undefined && !token) throw new AwsError('InvalidParameterException', 'The specified nextToken is invalid.');
  if (token) {
    const pos = Number(token[2]);
    if (token[1] === 'f') (from = pos), (to = Math.min(pos + limit, inRange.length));
    else (to = pos), (from = Math.max(0, pos - limit));
  } else if (input.startFromHead) (from = 0), (to = Math.min(limit, inRange.length));
  else (to = inRange.length), (from = Math.max(0, to - limit));
  const events = inRange.slice(from, to).map(({ timestamp, message, ingestionTime }) => ({ timestamp, message, ingestionTime }));
  return { events, nextForwardToken: `f/${String(to).padStart(56, '0')}`, nextBackwardToken: `b/${String(from).padStart(56, '0')}` };
}

/**
 * A subset of the filter pattern syntax: terms that must all appear, "quoted phrases", and -term to
 * exclude. JSON and space-delimited patterns are not supported (README).
 * https://docs.aws.amazon.com/AmazonCloudWatch/latest/logs/FilterAndPatternSyntax.html
 */
function compileFilter(pattern: string): (message: string) => boolean {
  const terms = [...pattern.matchAll(/(-?)"([^"]*)"|(-?)(\S+)/g)].map((m) => ({ exclude: (m[1] || m[3]) === '-', text: m[2] ?? m[4] ?? '' }));
  if (!terms.length) return () => true;
  return (message) => terms.every((t) => (t.exclude ? !message.includes(t.text) : message.includes(t.text)));
}
