import { describe, expect, it } from '@jest/globals';
import { ECSClient, ListClustersCommand } from '@aws-sdk/client-ecs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { clientConfig, resolveRegion, withExplainedErrors, GANTRY_VERSION } from '../src/index.js';
import rootPackage from '../../../package.json' with { type: 'json' };

describe('resolveRegion', () => {
  it('prefers the input, then AWS_REGION, then AWS_DEFAULT_REGION', () => {
    expect(resolveRegion('eu-west-1', { AWS_REGION: 'us-east-1' })).toBe('eu-west-1');
    expect(resolveRegion('', { AWS_REGION: 'us-east-1', AWS_DEFAULT_REGION: 'eu-central-1' })).toBe('us-east-1');
    expect(resolveRegion(undefined, { AWS_DEFAULT_REGION: 'eu-central-1' })).toBe('eu-central-1');
  });
  it('names the input when no region is known or it is malformed', () => {
    expect(() => resolveRegion(undefined, {})).toThrow(/aws-region/);
    expect(() => resolveRegion('Ireland', {})).toThrow("Input 'aws-region' is not an AWS region: 'Ireland'.");
  });
});

describe('clientConfig', () => {
  it('takes attempts from the option, then AWS_MAX_ATTEMPTS, then 8', () => {
    expect(clientConfig({ region: 'eu-west-1', maxAttempts: 2 }, { AWS_MAX_ATTEMPTS: '5' }).maxAttempts).toBe(2);
    expect(clientConfig({ region: 'eu-west-1' }, { AWS_MAX_ATTEMPTS: '5' }).maxAttempts).toBe(5);
    expect(clientConfig({ region: 'eu-west-1' }, { AWS_MAX_ATTEMPTS: 'many' }).maxAttempts).toBe(8);
    expect(clientConfig({ region: 'eu-west-1' }, {}).retryMode).toBe('adaptive');
  });
});

describe('clients', () => {
  it('keeps its version in step with the root package', () => {
    expect(GANTRY_VERSION).toBe(rootPackage.version);
  });

  it('sends the Gantry user agent, uses the standard endpoint and explains AccessDenied with the IAM action', async () => {
    let userAgent = '';
    const server = createServer((req, res) => {
      userAgent = String(req.headers['user-agent'] ?? '') + ' ' + String(req.headers['x-amz-user-agent'] ?? '');
      res.writeHead(400, { 'content-type': 'application/x-amz-json-1.1' });
      res.end(JSON.stringify({ __type: 'AccessDeniedException', message: 'User: x is not authorized to perform: ecs:ListClusters' }));
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    const { port } = server.address() as AddressInfo;
    try {
      const ecs = withExplainedErrors(
        new ECSClient({
          ...clientConfig({ region: 'eu-west-1', maxAttempts: 1 }),
          endpoint: `http://127.0.0.1:${port}`,
          credentials: { accessKeyId: 'AKIDTEST', secretAccessKey: 'secret' },
        }),
      );
      await expect(ecs.send(new ListClustersCommand({}))).rejects.toThrow(
        "AWS denied ecs:ListClusters (HTTP 400, no request id): User: x is not authorized to perform: ecs:ListClusters Nothing in AWS was changed before this call. Allow 'ecs:ListClusters' in the IAM policy",
      );
      expect(userAgent).toContain(`gantry/${GANTRY_VERSION}`);
    } finally {
      server.close();
    }
  });
});
