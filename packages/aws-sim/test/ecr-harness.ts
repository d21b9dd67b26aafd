import { ECRClient } from '@aws-sdk/client-ecr';
import { EventBridgeClient } from '@aws-sdk/client-eventbridge';
import { SchedulerClient } from '@aws-sdk/client-scheduler';
import { SimClock } from '../src/clock.js';
import { ProtocolServer } from '../src/protocol/server.js';
import { createEcr } from '../src/ecr/index.js';
import { createEvents } from '../src/events/index.js';
import { createScheduler } from '../src/scheduler/index.js';

/**
 * The ECR, EventBridge and Scheduler parts behind one ProtocolServer on 127.0.0.1, with unmodified SDK
 * clients pointed at it (the same composition startSimulator does, without the ECS side).
 */
export async function startEcrHarness(options: { registryUrl?: string; start?: Date; speed?: number } = {}) {
  const clock = new SimClock(options.speed ?? 1, options.start ?? new Date('2026-03-01T00:00:00Z'));
  const base = { clock, accountId: '123456789012', region: 'us-east-1' };
  const ecrPart = await createEcr({ ...base, registryUrl: options.registryUrl });
  const events = createEvents(base);
  const scheduler = createScheduler(base);
  const server = new ProtocolServer({
    clock,
    accountId: base.accountId,
    defaultRegion: base.region,
    services: [ecrPart.service, events.service],
    restRoutes: [...scheduler.routes, ...ecrPart.routes],
    control: ecrPart.control,
  });
  const port = await server.listen(0);
  const config = { region: 'us-east-1', endpoint: `http://127.0.0.1:${port}`, credentials: { accessKeyId: 'test', secretAccessKey: 'test' }, maxAttempts: 1 };
  const ecr = new ECRClient(config);
  const eventsClient = new EventBridgeClient(config);
  const schedulerClient = new SchedulerClient(config);
  return {
    clock,
    port,
    endpoint: config.endpoint,
    part: ecrPart,
    ecr,
    events: eventsClient,
    scheduler: schedulerClient,
    async stop() {
      ecr.destroy();
      eventsClient.destroy();
      schedulerClient.destroy();
      await server.close();
      await ecrPart.close();
    },
  };
}

/** The rejection of a promise (fails the test if it resolves). */
export async function rejection(promise: Promise<unknown>): Promise<Error & { name: string }> {
  try {
    await promise;
  } catch (err) {
    return err as Error & { name: string };
  }
  throw new Error('expected the call to fail, but it succeeded');
}
