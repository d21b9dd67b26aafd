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

  /** Replaces the settings; a wrong field is an Error naming it (the control API answers 400 with it). */
  set(settings: FaultSettings): void {
    validateFaults(settings);
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

const RATES = ['throttleRate', 'errorRate', 'dropRate'] as const;
const LISTS = ['operations', 'deny'] as const;
const KNOWN = new Set<string>([...RATES, ...LISTS, 'latencyMs', 'seed']);

function validateFaults(settings: unknown): asserts settings is FaultSettings {
  if (!settings || typeof settings !== 'object' || Array.isArray(settings)) throw new Error('setFaults: expected an object of fields (throttleRate, errorRate, dropRate, latencyMs, operations, deny, seed)');
  const s = settings as Record<string, unknown>;
  for (const key of Object.keys(s)) if (!KNOWN.has(key)) throw new Error(`setFaults: unknown field '${key}' (known: ${[...KNOWN].join(', ')})`);
  for (const key of RATES) {
    const v = s[key];
    if (v !== undefined && (typeof v !== 'number' || !(v >= 0 && v <= 1))) throw new Error(`setFaults: ${key} must be a number from 0 to 1, got ${JSON.stringify(v)}`);
  }
  if (s.latencyMs !== undefined && (typeof s.latencyMs !== 'number' || !(s.latencyMs >= 0) || !Number.isFinite(s.latencyMs))) throw new Error(`setFaults: latencyMs must be a number >= 0, got ${JSON.stringify(s.latencyMs)}`);
  if (s.seed !== undefined && !Number.isInteger(s.seed)) throw new Error(`setFaults: seed must be a whole number, got ${JSON.stringify(s.seed)}`);
  for (const key of LISTS) {
    const v = s[key];
    if (v !== undefined && (!Array.isArray(v) || v.some((x) => typeof x !== 'string' || !x))) throw new Error(`setFaults: ${key} must be a list of "service" or "service:Operation" names, got ${JSON.stringify(v)}`);
  }
}
