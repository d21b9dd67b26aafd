import { describe, expect, it } from '@jest/globals';
import { InputError } from '@gantry/github';
import { validatePlatforms } from '../src/index.js';

describe('validatePlatforms', () => {
  it('defaults to linux/amd64', () => {
    expect(validatePlatforms([])).toEqual(['linux/amd64']);
  });

  it('normalises case and arm64/v8 and drops duplicates', () => {
    expect(validatePlatforms(['Linux/AMD64', 'linux/arm64/v8', 'linux/arm64'])).toEqual(['linux/amd64', 'linux/arm64']);
  });

  it('rejects an unknown platform with the input name and the known list', () => {
    expect(() => validatePlatforms(['linux/amd65'])).toThrow(InputError);
    expect(() => validatePlatforms(['darwin/arm64'])).toThrow(/Input 'platforms' names an unknown platform 'darwin\/arm64' \(known: linux\/amd64/);
  });
});
