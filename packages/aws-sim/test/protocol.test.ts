import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { ECSClient, ListClustersCommand, DescribeServicesCommand, ClusterNotFoundException } from '@aws-sdk/client-ecs';
import { SimClock } from '../src/clock.js';
import { ProtocolServer } from '../src/protocol/server.js';
import { AwsError } from '../src/protocol/errors.js';

// The wire protocol alone, with a two-operation service: proves the unmodified SDK client accepts the
// simulator's responses, errors and injected faults before any real service logic is involved.
describe('ProtocolServer', () => {
  const clock = new SimClock(1, new Date('2026-01-01T00:00:00Z'));
  let seenRegion = '';
  const server = new ProtocolServer({
    clock,
    accountId: '123456789012',
    defaultRegion: 'us-east-1',
    services: [
      {
        name: 'ecs',
        targetPrefix: 'AmazonEC2ContainerServiceV20141113',
        operations: {
          ListClusters: (_input, ctx) => ((seenRegion = ctx.region), { clusterArns: ['arn:aws:ecs:eu-west-1:123456789012:cluster/a'] }),
          DescribeServices: (input: { cluster?: string }) => {
            throw new AwsError('ClusterNotFoundException', `Cluster not found: ${input.cluster}`);
          },
        },
      },
    ],
  });
  let ecs: ECSClient;
  beforeAll(async () => {
    const port = await server.listen(0);
    ecs = new ECSClient({ region: 'eu-west-1', endpoint: `http://127.0.0.1:${port}`, credentials: { accessKeyId: 'a', secretAccessKey: 'b' }, maxAttempts: 5 });
  });
  afterAll(async () => {
    ecs.destroy();
    await server.close();
  });

  it('serves operations to the SDK and reads the signing region', async () => {
    const out = await ecs.send(new ListClustersCommand({}));
    expect(out.clusterArns).toEqual(['arn:aws:ecs:eu-west-1:123456789012:cluster/a']);
    expect(seenRegion).toBe('eu-west-1');
  });

  it('returns modelled errors the SDK maps to its exception classes', async () => {
    const err = await ecs.send(new DescribeServicesCommand({ cluster: 'nope', services: ['x'] })).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ClusterNotFoundException);
    expect((err as Error).message).toBe('Cluster not found: nope');
  });

  it('denies the operations a least-privilege policy leaves out, as AccessDeniedException', async () => {
    server.faults.set({ deny: ['ecs:ListClusters'] });
    const err = (await ecs.send(new ListClustersCommand({})).catch((e: unknown) => e)) as Error & { name: string };
    server.faults.set({});
    expect(err.name).toBe('AccessDeniedException');
    expect(err.message).toContain('is not authorized to perform: ecs:ListClusters');
  });

  it('injects throttling that the SDK retries through', async () => {
    server.resetCallCounts();
    server.faults.set({ throttleRate: 0.5, seed: 7 });
    for (let i = 0; i < 5; i++) await ecs.send(new ListClustersCommand({}));
    server.faults.set({});
    expect(server.callCounts()['ecs:ListClusters']).toBeGreaterThan(5);
  });
});
