import { GetLogEventsCommand, type CloudWatchLogsClient } from '@aws-sdk/client-cloudwatch-logs';
import type { Logger } from '../runtime.js';

export interface AwsLogsLocation {
  group: string;
  stream: string;
  region?: string;
}

/**
 * Where the awslogs driver writes a container's output: `prefix/container/task-id` in the configured group.
 * https://docs.aws.amazon.com/AmazonECS/latest/developerguide/using_awslogs.html
 */
export function awsLogsLocation(logConfiguration: { logDriver?: string; options?: Record<string, string> } | undefined, container: string, taskId: string): AwsLogsLocation | undefined {
  if (logConfiguration?.logDriver !== 'awslogs') return undefined;
  const o = logConfiguration.options ?? {};
  const group = o['awslogs-group'];
  const prefix = o['awslogs-stream-prefix'];
  if (!group || !prefix) return undefined;
  return { group, stream: `${prefix}/${container}/${taskId}`, region: o['awslogs-region'] };
}

/** Follows one log stream with GetLogEvents, printing each new line once. */
export class LogFollower {
  private nextToken?: string;
  lines = 0;

  constructor(
    private readonly logs: CloudWatchLogsClient,
    private readonly location: AwsLogsLocation,
    private readonly logger: Logger,
  ) {}

  /** Prints what arrived since the last call; returns how many lines. A stream not created yet is not an error. */
  async drain(): Promise<number> {
    let printed = 0;
    for (let page = 0; page < 20; page++) {
      let out;
      try {
        out = await this.logs.send(
          new GetLogEventsCommand({ logGroupName: this.location.group, logStreamName: this.location.stream, startFromHead: true, ...(this.nextToken ? { nextToken: this.nextToken } : {}) }),
        );
      } catch (err) {
        if ((err as Error).name === 'ResourceNotFoundException') return printed;
        throw err;
      }
      for (const e of out.events ?? []) this.logger.info(`| ${e.message?.replace(/\n$/, '') ?? ''}`);
      printed += out.events?.length ?? 0;
      // The same forward token comes back when there is nothing new.
      const same = out.nextForwardToken === this.nextToken;
      this.nextToken = out.nextForwardToken ?? this.nextToken;
      if (same || !out.events?.length) break;
    }
    this.lines += printed;
    return printed;
  }
}
