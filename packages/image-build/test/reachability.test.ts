import { describe, expect, it } from '@jest/globals';
import { createServer } from 'node:net';
import { ECRClient } from '@aws-sdk/client-ecr';
import { buildImages, explainRegistryFailure, type BuildImagesOptions } from '../src/index.js';
import { fakeDocker, memoryLogger } from './helpers/fake-docker.js';
import { fixtureWorkspace } from './helpers/workspace.js';

/** A port nothing listens on: bound, read and released. */
async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const { port } = server.address() as { port: number };
  await new Promise((r) => server.close(r));
  return port;
}

describe('unreachable endpoints', () => {
  it('names the ECR endpoint and what was being done instead of a bare ECONNREFUSED', async () => {
    const port = await closedPort();
    // A real SDK client over HTTP to a closed port on loopback.
    const ecr = new ECRClient({ region: 'eu-west-1', endpoint: `http://127.0.0.1:${port}`, maxAttempts: 1, credentials: { accessKeyId: 'a', secretAccessKey: 'b' } });
    const options: BuildImagesOptions = {
      rootDir: await fixtureWorkspace(),
      repository: 'shop/web',
      app: { context: '.', dockerfile: 'docker/app.Dockerfile', buildArgs: {}, cacheFrom: [], cacheTo: [] },
      base: { context: '.', dockerfile: 'docker/base.Dockerfile', buildArgs: {}, cacheFrom: [], cacheTo: [], hashFiles: ['composer.lock'] },
      platforms: ['linux/amd64'],
      commitSha: 'a1b2c3d4e5f60718293a4b5c6d7e8f9012345678',
      extraTags: [],
      provenance: false,
      createRepositories: false,
      repositorySettings: { scanOnPush: true, tagImmutability: 'MUTABLE' },
      builder: 'buildkit',
    };
    const attempt = buildImages(options, { ecr, docker: fakeDocker(), clock: { now: () => new Date() }, logger: memoryLogger(), mask: () => {} });
    await expect(attempt).rejects.toThrow(new RegExp(`^Could not reach ECR at http://127.0.0.1:${port} while looking up the ECR repository shop/web: .*ECONNREFUSED`));
  });

  it('classifies registry failures from docker output', () => {
    const host = '123456789012.dkr.ecr.eu-west-1.amazonaws.com';
    expect(explainRegistryFailure(host, 'pushing x', 'Get "https://h/v2/": dial tcp: lookup h: no such host').message).toMatch(/^Could not reach the registry 123456789012\.dkr\.ecr\.eu-west-1\.amazonaws\.com while pushing x/);
    const unauthorized = explainRegistryFailure(host, 'pushing x', 'unauthorized: authentication required');
    expect(unauthorized.message).toMatch(/refused the login token ECR issued \(401 Unauthorized\)/);
    expect(unauthorized.fix).not.toMatch(/may call ecr:GetAuthorizationToken/);
    expect(explainRegistryFailure(host, 'pushing x', 'denied: User: arn:aws:sts::1:assumed-role/ci is not authorized to perform: ecr:InitiateLayerUpload').message).toMatch(/denied this run while pushing x: .*ecr:InitiateLayerUpload/);
  });
});
