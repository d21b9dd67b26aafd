import { beforeEach, describe, expect, it } from '@jest/globals';
import { DescribeImagesCommand, ECRClient, GetAuthorizationTokenCommand } from '@aws-sdk/client-ecr';
import { mockClient } from 'aws-sdk-client-mock';
import { parseHostedImage, resolveImages } from '../src/task-definition/pin-images.js';
import { DIGEST_A, DIGEST_B, REGISTRY, memoryLogger } from './helpers.js';

// ECR served at another host than ACCOUNT.dkr.ecr.REGION.amazonaws.com (an AWS-compatible peer, the
// simulator's registry mode): the host GetAuthorizationToken's proxyEndpoint names is this account's ECR.
const ecrMock = mockClient(ECRClient);
const ecr = new ECRClient({ region: 'us-east-1' });
const TOKEN = Buffer.from('AWS:secret-password').toString('base64');

beforeEach(() => {
  ecrMock.reset();
  ecrMock.on(GetAuthorizationTokenCommand).resolves({ authorizationData: [{ authorizationToken: TOKEN, proxyEndpoint: 'http://127.0.0.1:5000', expiresAt: new Date() }] });
  ecrMock.on(DescribeImagesCommand).callsFake((input) => ({ imageDetails: [{ imageDigest: input.imageIds[0].imageDigest ?? (input.imageIds[0].imageTag === 'v2' ? DIGEST_B : DIGEST_A) }] }));
});

function loggerWithMask() {
  const logger = memoryLogger();
  const masked: string[] = [];
  return Object.assign(logger, { masked, mask: (s: string) => void masked.push(s) });
}

describe('images in the account registry at another host', () => {
  it('verifies and pins them when the host is the proxyEndpoint host, asking once and masking the token', async () => {
    const logger = loggerWithMask();
    const { images, problems } = await resolveImages(
      [
        { name: 'web', image: '127.0.0.1:5000/team/app:v2' },
        { name: 'worker', image: `127.0.0.1:5000/team/app@${DIGEST_A}` },
      ],
      { ecrFor: () => ecr, registryRegion: 'us-east-1' },
      logger,
    );
    expect(problems).toEqual([]);
    expect(images.map((i) => [i.pinned, i.inEcr])).toEqual([
      [`127.0.0.1:5000/team/app@${DIGEST_B}`, true],
      [`127.0.0.1:5000/team/app@${DIGEST_A}`, true],
    ]);
    expect(ecrMock.commandCalls(GetAuthorizationTokenCommand)).toHaveLength(1);
    // No registryId: the default registry of the calling account.
    expect(ecrMock.commandCalls(DescribeImagesCommand)[0]!.args[0].input).toEqual({ repositoryName: 'team/app', imageIds: [{ imageTag: 'v2' }] });
    expect(logger.masked).toEqual([TOKEN]);
    expect(logger.text()).not.toContain(TOKEN);
  });

  it('leaves other hosts alone, and never asks for public registries or amazonaws.com ECR hosts', async () => {
    const logger = loggerWithMask();
    const { images } = await resolveImages(
      [
        { name: 'a', image: `${REGISTRY}/app:v2` },
        { name: 'b', image: 'public.ecr.aws/nginx/nginx:1.27' },
        { name: 'c', image: 'ghcr.io/acme/tool:1' },
        { name: 'd', image: 'nginx:1.27' },
      ],
      { ecrFor: () => ecr, registryRegion: 'us-east-1' },
      logger,
    );
    expect(images.map((i) => i.inEcr)).toEqual([true, false, false, false]);
    expect(ecrMock.commandCalls(GetAuthorizationTokenCommand)).toHaveLength(0);

    const other = await resolveImages([{ name: 'e', image: 'registry.example.com/app:1' }], { ecrFor: () => ecr, registryRegion: 'us-east-1' }, logger);
    expect(other.images[0]!.inEcr).toBe(false);
    expect(logger.text()).toContain('registry.example.com/app:1 is not an ECR image');
    expect(ecrMock.commandCalls(GetAuthorizationTokenCommand)).toHaveLength(1);
  });

  it('falls back to the amazonaws.com rule with a warning when GetAuthorizationToken is denied', async () => {
    ecrMock.on(GetAuthorizationTokenCommand).rejects(Object.assign(new Error('not authorized to perform: ecr:GetAuthorizationToken'), { name: 'AccessDeniedException' }));
    const logger = loggerWithMask();
    const { images, problems } = await resolveImages([{ name: 'web', image: '127.0.0.1:5000/app:v2' }], { ecrFor: () => ecr, registryRegion: 'us-east-1', nonEcrImages: 'error' }, logger);
    expect(images[0]!.inEcr).toBe(false);
    expect(problems).toEqual([expect.stringMatching(/image '127\.0\.0\.1:5000\/app:v2' is not in ECR/)]);
    expect(logger.text()).toMatch(/WARN Could not read this account's registry host \(ecr:GetAuthorizationToken\)/);
  });

  it('parses explicit hosts only by Docker\'s rule', () => {
    expect(parseHostedImage('127.0.0.1:5000/a/b:1')).toEqual({ host: '127.0.0.1:5000', repositoryName: 'a/b', tag: '1', digest: undefined });
    expect(parseHostedImage('localhost/app')).toMatchObject({ host: 'localhost', repositoryName: 'app' });
    expect(parseHostedImage('library/nginx:1')).toBeUndefined();
    expect(parseHostedImage('nginx')).toBeUndefined();
  });
});
