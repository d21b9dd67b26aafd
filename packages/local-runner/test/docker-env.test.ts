import { afterEach, describe, expect, it, jest } from '@jest/globals';
import { dockerRequired, runOrSkip } from '../src/docker-env.js';

describe('GANTRY_REQUIRE_DOCKER', () => {
  const saved = process.env.GANTRY_REQUIRE_DOCKER;
  afterEach(() => {
    if (saved === undefined) delete process.env.GANTRY_REQUIRE_DOCKER;
    else process.env.GANTRY_REQUIRE_DOCKER = saved;
    jest.restoreAllMocks();
  });

  it('has one meaning: 1 requires, unset / empty / 0 allow skipping, anything else is a mistake', () => {
    expect(dockerRequired({ GANTRY_REQUIRE_DOCKER: '1' })).toBe(true);
    expect(dockerRequired({})).toBe(false);
    expect(dockerRequired({ GANTRY_REQUIRE_DOCKER: '' })).toBe(false);
    expect(dockerRequired({ GANTRY_REQUIRE_DOCKER: '0' })).toBe(false);
    for (const typo of ['true', 'yes', '1 ', 'false']) {
      expect(() => dockerRequired({ GANTRY_REQUIRE_DOCKER: typo })).toThrow(`GANTRY_REQUIRE_DOCKER is '${typo}': set it to 1`);
    }
  });

  it('fails, not skips, a suite whose engine or registry is missing when required', () => {
    process.env.GANTRY_REQUIRE_DOCKER = '1';
    expect(() => runOrSkip('the e2e test', false, 'no registry at 127.0.0.1:5000')).toThrow(
      'GANTRY_REQUIRE_DOCKER=1 but no registry at 127.0.0.1:5000: the e2e test cannot run',
    );
    expect(runOrSkip('the e2e test', true, '')).toBe(true);
  });

  it('skips with the reason printed when not required', () => {
    delete process.env.GANTRY_REQUIRE_DOCKER;
    const warn = jest.spyOn(console, 'warn').mockImplementation(() => {});
    expect(runOrSkip('the e2e test', false, 'no registry at 127.0.0.1:5000')).toBe(false);
    expect(warn).toHaveBeenCalledWith('SKIPPING the e2e test: no registry at 127.0.0.1:5000. Set GANTRY_REQUIRE_DOCKER=1 to make this a failure.');
  });
});
