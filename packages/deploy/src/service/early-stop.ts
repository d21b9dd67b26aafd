import type { Task } from '@aws-sdk/client-ecs';
import type { AlarmState } from './insight.js';

/** When to call a release bad before ECS would, and roll it back with StopServiceDeployment. */
export interface EarlyStopOptions {
  /** Roll back once this many tasks of the new revision have stopped. */
  stoppedTasks?: number;
  /** Roll back as soon as one of these alarms leaves OK. */
  alarms: string[];
}

/**
 * Watches for an early-stop condition across polls. An alarm "leaves OK" when it is in ALARM, or when it
 * was OK at an earlier poll and is not any more (INSUFFICIENT_DATA right after creation is not a
 * departure from OK).
 */
export class EarlyStopMonitor {
  private readonly seenOk = new Set<string>();

  constructor(private readonly options: EarlyStopOptions) {}

  get alarmNames(): string[] {
    return this.options.alarms;
  }

  /** The reason to stop now, or undefined. */
  check(ourTasks: Task[], alarms: AlarmState[]): string | undefined {
    const n = this.options.stoppedTasks;
    if (n !== undefined) {
      const stopped = ourTasks.filter((t) => t.lastStatus === 'STOPPED');
      if (stopped.length >= n) return `${stopped.length} task(s) of the new revision stopped (early-stop-stopped-tasks: ${n})`;
    }
    for (const a of alarms) {
      if (!this.options.alarms.includes(a.name)) continue;
      if (a.state === 'OK') {
        this.seenOk.add(a.name);
        continue;
      }
      if (a.state === 'ALARM' || this.seenOk.has(a.name)) return `alarm '${a.name}' left OK: ${a.state}${a.reason ? ` (${a.reason})` : ''} (early-stop-alarms)`;
    }
    return undefined;
  }
}
