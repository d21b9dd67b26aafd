// Shared by the load balancer and alarm tests: a simulator whose clock moves only when a test advances it,
// and the SDK clients (ECS, ELBv2, CloudWatch) pointed at it with no retries.
import { startSimulator } from '../src/index.js';
import { sdkClients } from '../src/testing.js';

export async function startLbHarness() {
  const sim = await startSimulator({ port: 0, speed: 0, start: new Date('2026-03-01T00:00:00Z') });
  const clients = sdkClients(sim, { maxAttempts: 1 });
  return {
    sim,
    ...clients,
    /** Moves simulated time forward by `seconds`, running everything that falls due. */
    advance: (seconds: number) => sim.clock.advance(seconds * 1000),
    async stop() {
      for (const client of Object.values(clients)) client.destroy();
      await sim.stop();
    },
  };
}
export type LbHarness = Awaited<ReturnType<typeof startLbHarness>>;

/** The error a call fails with (name, message, HTTP status); fails the test when the call succeeds. */
export async function failure(call: Promise<unknown>): Promise<{ name: string; message: string; status?: number }> {
  try {
    await call;
  } catch (e) {
    const err = e as { name: string; message: string; $metadata?: { httpStatusCode?: number } };
    return { name: err.name, message: err.message, status: err.$metadata?.httpStatusCode };
  }
  throw new Error('expected the call to fail');
}
