import { describe, expect, it } from '@jest/globals';
import { isDigest, parseEcrHost, parseImageRef } from '../src/index.js';

const digest = `sha256:${'0123456789abcdef'.repeat(4)}`;

describe('parseImageRef', () => {
  it('reads Docker Hub short names without a host', () => {
    expect(parseImageRef('nginx')).toEqual({ host: '', repository: 'nginx' });
    expect(parseImageRef('library/nginx:1.27')).toEqual({ host: '', repository: 'library/nginx', tag: '1.27' });
  });

  it('takes a first component with a dot, a port or localhost as the host', () => {
    expect(parseImageRef('123456789012.dkr.ecr.us-east-1.amazonaws.com/team/app:v1')).toEqual({ host: '123456789012.dkr.ecr.us-east-1.amazonaws.com', repository: 'team/app', tag: 'v1' });
    expect(parseImageRef('127.0.0.1:5000/a/b:1')).toEqual({ host: '127.0.0.1:5000', repository: 'a/b', tag: '1' });
    expect(parseImageRef('registry:5000/app')).toEqual({ host: 'registry:5000', repository: 'app' });
    expect(parseImageRef('localhost/app')).toEqual({ host: 'localhost', repository: 'app' });
  });

  it('reads a tag and a digest together, and a digest alone', () => {
    expect(parseImageRef(`localhost/app:v1@${digest}`)).toEqual({ host: 'localhost', repository: 'app', tag: 'v1', digest });
    expect(parseImageRef(`127.0.0.1:5000/app@${digest}`)).toEqual({ host: '127.0.0.1:5000', repository: 'app', digest });
  });

  it('rejects a malformed digest unless any digest is allowed', () => {
    expect(parseImageRef('app@sha256:short')).toBeUndefined();
    expect(parseImageRef(`app@${digest.toUpperCase()}`)).toBeUndefined();
    expect(parseImageRef('app@sha256:short', { anyDigest: true })).toEqual({ host: '', repository: 'app', digest: 'sha256:short' });
  });

  it('fills in the default tag only when neither tag nor digest is given', () => {
    expect(parseImageRef('x.io/app', { defaultTag: 'latest' })).toEqual({ host: 'x.io', repository: 'app', tag: 'latest' });
    expect(parseImageRef('x.io/app:v2', { defaultTag: 'latest' })).toMatchObject({ tag: 'v2' });
    expect(parseImageRef(`x.io/app@${digest}`, { defaultTag: 'latest' })).toEqual({ host: 'x.io', repository: 'app', digest });
  });

  it('keeps an empty tag visible and rejects references without a repository', () => {
    expect(parseImageRef('app:')).toEqual({ host: '', repository: 'app', tag: '' });
    expect(parseImageRef('')).toBeUndefined();
    expect(parseImageRef('x.io/:v1')).toBeUndefined();
    expect(parseImageRef(`@${digest}`)).toBeUndefined();
  });

  it('only splits a tag after the last slash and does not trim', () => {
    expect(parseImageRef('a/b:c/d')).toEqual({ host: '', repository: 'a/b:c/d' });
    expect(parseImageRef(' app')).toEqual({ host: '', repository: ' app' });
  });
});

describe('isDigest', () => {
  it('accepts only sha256 with 64 lowercase hex digits', () => {
    expect(isDigest(digest)).toBe(true);
    expect(isDigest('sha256:abc')).toBe(false);
    expect(isDigest(`sha512:${'0'.repeat(64)}`)).toBe(false);
  });
});

describe('parseEcrHost', () => {
  it('reads account and region from private ECR hosts, FIPS and China included', () => {
    expect(parseEcrHost('123456789012.dkr.ecr.eu-west-1.amazonaws.com')).toEqual({ registryId: '123456789012', region: 'eu-west-1' });
    expect(parseEcrHost('123456789012.dkr.ecr-fips.us-gov-west-1.amazonaws.com')).toEqual({ registryId: '123456789012', region: 'us-gov-west-1' });
    expect(parseEcrHost('123456789012.dkr.ecr.cn-north-1.amazonaws.com.cn')).toEqual({ registryId: '123456789012', region: 'cn-north-1' });
  });

  it('rejects public and other registries', () => {
    for (const host of ['public.ecr.aws', 'docker.io', '127.0.0.1:5000', 'localhost', '12345.dkr.ecr.us-east-1.amazonaws.com', '123456789012.dkr.ecr.us-east-1.amazonaws.com.evil.io']) {
      expect(parseEcrHost(host)).toBeUndefined();
    }
  });
});
