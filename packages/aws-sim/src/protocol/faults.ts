/**
 * Fault injection, decided per call: throttling (the SDK retries ThrottlingException with backoff),
 * server errors, dropped connections and added latency. `operations` limits faults to some calls, named
 * `service:Operation` (e.g. `ecs:DescribeServices`) or by service (`ecs`).
 */
export interface FaultSettings {
  throttleRate?: number;
  errorRate?: number;
  dropRate?: number;
  latencyMs?: number;
  operations?: string[];
  /**
   * Calls an IAM policy does not allow, as `service:Operation` (or a whole service): always answered with
   * AccessDeniedException, whatever `operations` says, to rehearse a least-privilege role.
   */
  deny?: string[];
  /** Seed for the fault dice, so a failing test can be replayed. */
  seed?: number;
}

export type FaultDecision = { kind: 'none' } | { kind: 'throttle' } | { kind: 'error' } | { kind: 'drop' } | { kind: 'deny' };

export class Faults {
  private settings: FaultSettings = {};
  private state = 1;

  set(settings: FaultSettings): void {
    this.settings = { ...settings };
    this.state = settings.seed ?? 1;
  }

  get(): FaultSettings {
    return { ...this.settings };
  }

  latencyMs(): number {
    return this.settings.latencyMs ?? 0;
  }

  decide(service: string, operation: string): FaultDecision {
    const { operations, throttleRate = 0, errorRate = 0, dropRate = 0, deny } = this.settings;
    if (deny?.includes(service) || deny?.includes(`${service}:${operation}`)) return { kind: 'deny' };
    if (operations?.length && !operations.includes(service) && !operations.includes(`${service}:${operation}`)) return { kind: 'none' };
    const roll = this.random();
    if (roll < dropRate) return { kind: 'drop' };
    if (roll < dropRate + throttleRate) return { kind: 'throttle' };
    if (roll < dropRate + throttleRate + errorRate) return { kind: 'error' };
    return { kind: 'none' };
  }

  /** mulberry32: small, fast and reproducible. */
  private random(): number {
    let t = (this.state += 0x6d2b79f5);
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  }
}
