import { SimClock } from './clock.js';
import { ProtocolServer, type ControlHandler } from './protocol/server.js';
import type { FaultSettings } from './protocol/faults.js';
import type { QuotaModel, QuotaSettings } from './protocol/quotas.js';
import type { JsonService, RestRoute } from './protocol/types.js';
import { createEcs } from './ecs/index.js';
import { createEcr } from './ecr/index.js';
import { createEvents } from './events/index.js';
import { createScheduler } from './scheduler/index.js';
import { createLogs } from './logs/index.js';
import type { ImageBehaviour, Scenario } from './scenario.js';

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
  /** A scenario file (JSON or YAML) of image behaviours, loaded before the server starts. */
  scenario?: string;
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
  stop(): Promise<void>;
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
  loadScenario(body: { path?: string; scenario?: Scenario }): { loaded: number };
};

export async function startSimulator(options: SimulatorOptions = {}): Promise<Simulator> {
  const clock = new SimClock(options.speed ?? 1, options.start);
  const base = { clock, accountId: SIM_ACCOUNT_ID, region: SIM_REGION };
  const ecr = await createEcr({ ...base, registryUrl: options.registryUrl });
  const logs = createLogs(base);
  const ecs = createEcs({ ...base, images: ecr.images, logs: logs.sink });
  const events = createEvents(base);
  const scheduler = createScheduler(base);
  const parts: { service?: JsonService; routes?: RestRoute[]; control?: Record<string, ControlHandler> }[] = [ecs, ecr, logs, events, scheduler];

  const control: Record<string, ControlHandler> = {};
  for (const part of parts) Object.assign(control, part.control ?? {});
  const server = new ProtocolServer({
    services: parts.flatMap((p) => (p.service ? [p.service] : [])),
    restRoutes: parts.flatMap((p) => p.routes ?? []),
    control,
    clock,
    accountId: SIM_ACCOUNT_ID,
    defaultRegion: SIM_REGION,
  });
  Object.assign(control, {
    setFaults: (settings: FaultSettings) => (server.faults.set(settings ?? {}), {}),
    setQuotas: (settings: QuotaSettings) => (server.quotas.set(settings ?? { model: 'off' }), {}),
    quotas: () => server.quotas.get(),
    callCounts: () => server.callCounts(),
    resetCallCounts: () => (server.resetCallCounts(), {}),
    advance: (body: { ms?: number; seconds?: number }) => ({ now: clock.advance(body?.ms ?? (body?.seconds ?? 0) * 1000) }),
    setSpeed: (body: { speed: number }) => (clock.setSpeed(body.speed), {}),
    now: () => ({ now: clock.now() }),
  });
  if (options.scenario) ecs.control.loadScenario({ path: options.scenario });
  if (options.latencyMs) server.faults.set({ latencyMs: options.latencyMs });
  if (options.quotas) server.quotas.set(options.quotas);
  const port = await server.listen(options.port ?? 0);
  const endpoint = `http://127.0.0.1:${port}`;
  return {
    endpoint,
    port,
    accountId: SIM_ACCOUNT_ID,
    region: SIM_REGION,
    env: { AWS_ENDPOINT_URL: endpoint, AWS_REGION: SIM_REGION, AWS_DEFAULT_REGION: SIM_REGION, AWS_ACCESS_KEY_ID: 'test', AWS_SECRET_ACCESS_KEY: 'test', AWS_EC2_METADATA_DISABLED: 'true' },
    clock,
    control: control as SimControl,
    stop: async () => {
      await server.close();
      await ecr.close?.();
    },
  };
}
