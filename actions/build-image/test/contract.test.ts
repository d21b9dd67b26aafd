import { describe, expect, it } from '@jest/globals';
import { join } from 'node:path';
import { iamActionFor } from '@gantry/aws';
import { actionContractProblems, iamListProblems, runAction } from '@gantry/local-runner';

const actionDir = join(import.meta.dirname, '..');

describe('build-image action contract', () => {
  it('has complete metadata and README tables in step with action.yml', async () => {
    expect(await actionContractProblems(actionDir)).toEqual([]);
  });

  it('lists every IAM action its code can send, and docker push/pull needs as marked', () => {
    expect(iamListProblems(actionDir, iamActionFor)).toEqual([]);
  });

  it('fails with exactly one ::error:: naming a missing required input', async () => {
    const run = await runAction(actionDir, { inputs: { 'base-dockerfile': 'docker/base.Dockerfile', 'base-hash-files': 'composer.lock' }, env: { AWS_REGION: 'us-east-1' } });
    expect(run.exitCode).not.toBe(0);
    expect(run.errors).toEqual(["Input 'repository' is required but was empty or not set. Example: repository: shop/web"]);
  });

  it('fails with one ::error:: for an unknown platform, before touching AWS or docker', async () => {
    const run = await runAction(actionDir, {
      cwd: join(import.meta.dirname, '../../../packages/image-build/test/fixtures/app'),
      inputs: {
        repository: 'shop/web',
        'base-dockerfile': 'docker/base.Dockerfile',
        'base-hash-files': 'composer.lock',
        dockerfile: 'docker/app.Dockerfile',
        platforms: 'linux/amd64,windows/arm',
        'commit-sha': 'a1b2c3d4e5f60718293a4b5c6d7e8f9012345678',
        docker: '/nonexistent/docker',
      },
      // Unroutable endpoint: any AWS call would fail with a different message.
      env: { AWS_REGION: 'us-east-1', AWS_ENDPOINT_URL: 'http://127.0.0.1:9', AWS_ACCESS_KEY_ID: 'x', AWS_SECRET_ACCESS_KEY: 'x' },
    });
    expect(run.exitCode).not.toBe(0);
    expect(run.errors).toHaveLength(1);
    expect(run.errors[0]).toMatch(/^Input 'platforms' names an unknown platform 'windows\/arm'/);
  });
});
