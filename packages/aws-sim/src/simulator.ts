import { SimClock } from './clock.js';
import { ProtocolServer, type ControlHandler } from './protocol/server.js';
import type { FaultSettings } from './protocol/faults.js';
import type { QuotaModel, QuotaSettings } from './protocol/quotas.js';
import { createEcs } from './ecs/index.js';
import { createElbv2 } from './elbv2/index.js';
import { createCloudWatch } from './cloudwatch/index.js';
import { buildEcr } from './ecr/index.js';
import { createEvents } from './events/index.js';
import { createScheduler } from './scheduler/index.js';
import { createLogs } from './logs/index.js';
import { ImageBehaviours, readScenarioFile, validateScenario, type ImageBehaviour, type Scenario } from './scenario.js';
import { applyResources, hasResources, type CreatedResources } from './scenario-resources.js';
import { Regions, REGION_NAME, type PartFactory } from './regions.js';
import { DEFAULT_TIMING, validateTiming, type SimTiming } from './timing.js';

export const SIM_ACCOUNT_ID = '123456789012';
export const SIM_REGION = 'us-east-1';

export interface SimulatorOptions {
  port?: number;
  /** Simulated seconds per real second. */
  speed?: number;
  /** Back ECR with a real OCI registry (e.g. http://127.0.0.1:5000) instead of memory. */
  registryUrl?: string;
  latencyMs?: number;
  /** Simulated start time (default: now). */
  start?: Date;
  /**
   * A scenario file (JSON or YAML), or the scenario itself: image behaviours, timing, and load balancers,
   * alarms and hook outcomes to create, loaded before the server starts (what it created: `sim.scenario`).
   */
  scenario?: string | Scenario;
  /** The region of unsigned requests and of control operations without `region` (default us-east-1). */
  region?: string;
  /** Timing choices (README); the rest keep their defaults. */
  timing?: Partial<SimTiming>;
  /** AWS's API rate quotas: `off` (default) or `aws` (ECS token buckets, ECR per-action rates; see protocol/quotas.ts). */
  quotas?: QuotaModel | QuotaSettings;
}

export interface Simulator {
  endpoint: string;
  port: number;
  accountId: string;
  region: string;
  /** Environment for any AWS SDK or CLI to talk to this simulator. */
  env: Record<string, string>;
  clock: SimClock;
  control: SimControl;
  /** Per-region parts (ecs, ecr, logs, ...), created on first use. */
  regions: Regions;
  /** What the `scenario` option loaded and created (ARNs by name), when it was given. */
  scenario?: LoadedScenario;
  stop(): Promise<void>;
}

/** loadScenario's answer: image behaviours loaded, and the resources created when the scenario has any. */
export interface LoadedScenario {
  loaded: number;
  created?: CreatedResources;
}

/** Control operations, also served over HTTP as `POST /_sim/<name>` with a JSON body. */
export type SimControl = Record<string, (body?: any) => any> & {
  setFaults(settings: FaultSettings): void;
  /** `{ model: 'aws' }` throttles as AWS does; `{ model: 'off' }` never. Buckets start full. */
  setQuotas(settings: QuotaSettings): {};
  /** The quota model and how many calls were throttled, per operation. */
  quotas(): QuotaSettings & { throttled: Record<string, number> };
  callCounts(): Record<string, number>;
  resetCallCounts(): void;
  advance(body: { ms?: number; seconds?: number }): { now: Date };
  /** What tasks started from an image do; `imageRef` is 'repo:tag', 'repo@sha256:...' or a full URI. */
  setImageBehaviour(imageRef: string | (ImageBehaviour & { imageRef: string }), behaviour?: ImageBehaviour): {};
  loadScenario(body: { path?: string; scenario?: Scenario }): LoadedScenario;
  /** Changes timing choices (README); returns the whole timing now in force. */
  setTiming(body: Partial<SimTiming>): { timing: SimTiming };
};

export async function startSimulator(options: SimulatorOptions = {}): Promise<Simulator> {
  const clock = new SimClock(options.speed ?? 1, options.start);
  const defaultRegion = options.region ?? SIM_REGION;
  if (!REGION_NAME.test(defaultRegion)) throw new Error(`region must be a region name such as us-east-1, got '${defaultRegion}'`);
  // Shared by every region: what images do, and how long things take.
  const behaviours = new ImageBehaviours();
  const timing: SimTiming = { ...DEFAULT_TIMING, ...validateTiming(options.timing, 'timing') };
  const base = (region: string) => ({ clock, accountId: SIM_ACCOUNT_ID, region });
  // One factory per part, run per region on first use, in this order (a part sees the parts listed before
  // it). Only the default region's ECR is backed by `registryUrl`; other regions' ECR live in memory.
  const factories: [string, PartFactory][] = [
    ['ecr', ({ region, partsIn }) => buildEcr({ ...base(region), registryUrl: region === defaultRegion ? options.registryUrl : undefined, imagesIn: (r) => partsIn(r).ecr!.images })],
    ['logs', ({ region }) => createLogs(base(region))],
    ['elbv2', ({ region }) => createElbv2(base(region))],
    ['cloudwatch', ({ region }) => createCloudWatch(base(region))],
    [
      'ecs',
      ({ region, parts, partsIn }) =>
        createEcs({
          ...base(region),
          images: parts.ecr!.images,
          logs: parts.logs!.sink,
          logsIn: (r) => (REGION_NAME.test(r) ? partsIn(r).logs!.sink : parts.logs!.sink),
          behaviours,
          timing,
          loadBalancing: parts.elbv2!.store,
          alarms: parts.cloudwatch!.alarms,
        }),
    ],
    ['events', ({ region }) => createEvents(base(region))],
    ['scheduler', ({ region }) => createScheduler(base(region))],
  ];
  const regions = new Regions(defaultRegion, factories);
  await regions.get().ecr!.ready;

  const control: Record<string, ControlHandler> = regions.control();
  const server = new ProtocolServer({
    services: regions.services(),
    restRoutes: regions.routes(),
    control,
    clock,
    accountId: SIM_ACCOUNT_ID,
    defaultRegion,
  });
  const setTiming = (body: Partial<SimTiming>) => (Object.assign(timing, validateTiming(body, 'setTiming')), { timing: { ...timing } });
  const loadScenario = (body: { path?: string; scenario?: Scenario }): LoadedScenario => {
    const where = body?.path !== undefined ? `scenario ${body.path}` : 'scenario';
    const scenario = body?.path !== undefined ? readScenarioFile(body.path) : validateScenario(body?.scenario ?? {}, where);
    // Everything is checked before anything changes: behaviours on a scratch table, resources in scratch
    // copies of the region's ELBv2 and CloudWatch (inside applyResources).
    new ImageBehaviours().load(scenario);
    const created = hasResources(scenario as Record<string, unknown>) ? applyResources(scenario, { regions, clock, accountId: SIM_ACCOUNT_ID, where }) : undefined;
    const loaded = behaviours.load(scenario);
    if (scenario.timing) setTiming(scenario.timing);
    return created ? { loaded, created } : { loaded };
  };
  const setImageBehaviour = (refOrBody: string | (ImageBehaviour & { imageRef?: string; image?: string }), behaviour?: ImageBehaviour) => {
    if (typeof refOrBody === 'string') behaviours.set(refOrBody, behaviour ?? {});
    else {
      const { imageRef, image, ...rest } = refOrBody ?? {};
      const ref = imageRef ?? image;
      if (typeof ref !== 'string' || !ref) throw new Error('setImageBehaviour: imageRef is required (repo:tag, repo@sha256:..., or a full image URI)');
      behaviours.set(ref, rest);
    }
    return {};
  };
  Object.assign(control, {
    setImageBehaviour,
    clearImageBehaviours: () => (behaviours.clear(), {}),
    imageBehaviours: () => ({ images: behaviours.list() }),
    /** `{ path }` of a JSON/YAML file, or `{ scenario }` inline. */
    loadScenario,
    setTiming,
    timing: () => ({ timing: { ...timing } }),
    setFaults: (settings: FaultSettings) => (server.faults.set(settings ?? {}), {}),
    setQuotas: (settings: QuotaSettings) => (server.quotas.set(settings ?? { model: 'off' }), {}),
    quotas: () => server.quotas.get(),
    callCounts: () => server.callCounts(),
    resetCallCounts: () => (server.resetCallCounts(), {}),
    advance: (body: { ms?: number; seconds?: number }) => ({ now: clock.advance(advanceMs(body)) }),
    setSpeed: (body: { speed: number }) => (clock.setSpeed(numberField(body?.speed, 'setSpeed: speed')), {}),
    now: () => ({ now: clock.now() }),
    regions: () => ({ defaultRegion, regions: regions.regions() }),
  });
  const loadedScenario = !options.scenario ? undefined : loadScenario(typeof options.scenario === 'string' ? { path: options.scenario } : { scenario: options.scenario });
  if (options.latencyMs) server.faults.set({ latencyMs: options.latencyMs });
  if (options.quotas) server.quotas.set(options.quotas);
  let port: number;
  try {
    port = await server.listen(options.port ?? 0);
  } catch (err) {
    await regions.close();
    throw (err as NodeJS.ErrnoException).code === 'EADDRINUSE' ? new Error(`port ${options.port} is already in use on 127.0.0.1 (pick another, or 0 for a free one)`) : err;
  }
  const endpoint = `http://127.0.0.1:${port}`;
  return {
    endpoint,
    port,
    accountId: SIM_ACCOUNT_ID,
    region: defaultRegion,
    env: { AWS_ENDPOINT_URL: endpoint, AWS_REGION: defaultRegion, AWS_DEFAULT_REGION: defaultRegion, AWS_ACCESS_KEY_ID: 'test', AWS_SECRET_ACCESS_KEY: 'test', AWS_EC2_METADATA_DISABLED: 'true' },
    clock,
    control: control as SimControl,
    regions,
    scenario: loadedScenario,
    stop: async () => {
      await server.close();
      await regions.close();
    },
  };
}

/** `advance` takes `{ seconds }` or `{ ms }`, a number >= 0. */
function advanceMs(body: { ms?: unknown; seconds?: unknown } | undefined): number {
  if (body?.ms !== undefined) return numberField(body.ms, 'advance: ms');
  if (body?.seconds !== undefined) return numberField(body.seconds, 'advance: seconds') * 1000;
  return 0;
}

function numberField(value: unknown, name: string): number {
  if (typeof value !== 'number' || !Number.isFinite(value) || value < 0) throw new Error(`${name} must be a number >= 0, got ${JSON.stringify(value)}`);
  return value;
}
