/**
 * The simulator's timing choices: durations AWS does not publish (README, "Not documented by AWS"). One
 * object for the whole simulator (every region); set by `startSimulator({ timing })`, a scenario's
 * `timing:` section or the control API's `setTiming`. All values in simulated seconds.
 */
export interface SimTiming {
  /** PROVISIONING → PENDING. */
  provisionSeconds: number;
  /** Image pull (PENDING until the pull is done). */
  pullSeconds: number;
  /** DEACTIVATING/STOPPING → STOPPED. */
  stopSeconds: number;
  /** A passing container health check reports HEALTHY this long after RUNNING. */
  healthyAfterSeconds: number;
  /** Stopped tasks stay visible to Describe/List this long. */
  stoppedRetentionSeconds: number;
  /** Launch throttling: failures in a row (no healthy task in between) before the scheduler waits. */
  restartBackoffAfterFailures: number;
  /** The first wait; it doubles with every further failure... */
  restartBackoffStartSeconds: number;
  /** ...up to this. */
  restartBackoffMaxSeconds: number;
}

export const DEFAULT_TIMING: Readonly<SimTiming> = Object.freeze({
  provisionSeconds: 1,
  pullSeconds: 2,
  stopSeconds: 1,
  healthyAfterSeconds: 5,
  stoppedRetentionSeconds: 3600,
  restartBackoffAfterFailures: 3,
  restartBackoffStartSeconds: 15,
  restartBackoffMaxSeconds: 900,
});

const FIELDS = Object.keys(DEFAULT_TIMING) as (keyof SimTiming)[];

/** Checks a partial timing (from options, a scenario or the control API); errors name the field. */
export function validateTiming(value: unknown, where = 'timing'): Partial<SimTiming> {
  if (value === undefined || value === null) return {};
  if (typeof value !== 'object' || Array.isArray(value)) throw new Error(`${where}: expected an object of fields (${FIELDS.join(', ')})`);
  const out: Partial<SimTiming> = {};
  for (const [key, v] of Object.entries(value)) {
    if (!FIELDS.includes(key as keyof SimTiming)) throw new Error(`${where}: unknown field '${key}' (known: ${FIELDS.join(', ')})`);
    if (typeof v !== 'number' || !Number.isFinite(v) || v < 0) throw new Error(`${where}.${key} must be a number >= 0, got ${JSON.stringify(v)}`);
    if (key === 'restartBackoffAfterFailures' && !Number.isInteger(v)) throw new Error(`${where}.${key} must be a whole number, got ${v}`);
    out[key as keyof SimTiming] = v;
  }
  const merged = { ...DEFAULT_TIMING, ...out };
  if (out.restartBackoffMaxSeconds !== undefined && merged.restartBackoffMaxSeconds < merged.restartBackoffStartSeconds) {
    throw new Error(`${where}.restartBackoffMaxSeconds (${merged.restartBackoffMaxSeconds}) must be >= restartBackoffStartSeconds (${merged.restartBackoffStartSeconds})`);
  }
  return out;
}

/**
 * ECS slows down restarts of tasks that keep failing (service throttle logic) but publishes no curve.
 * Ours: no wait for the first `restartBackoffAfterFailures - 1` failures in a row, then
 * `restartBackoffStartSeconds` doubling per failure up to `restartBackoffMaxSeconds`.
 * https://docs.aws.amazon.com/AmazonECS/latest/developerguide/service-throttle-logic.html
 */
export function launchDelayMs(timing: SimTiming, consecutiveFailures: number): number {
  if (consecutiveFailures < timing.restartBackoffAfterFailures) return 0;
  return Math.min(timing.restartBackoffMaxSeconds * 1000, timing.restartBackoffStartSeconds * 1000 * 2 ** (consecutiveFailures - timing.restartBackoffAfterFailures));
}
