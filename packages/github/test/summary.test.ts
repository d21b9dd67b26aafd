import { describe, expect, it } from '@jest/globals';
import { markdownTable } from '../src/index.js';

describe('markdownTable', () => {
  it('escapes pipes and newlines and marks empty cells', () => {
    expect(markdownTable(['a', 'b'], [['x|y', undefined], ['1\n2', 0]])).toBe(
      ['| a | b |', '| --- | --- |', '| x\\|y | – |', '| 1<br>2 | 0 |'].join('\n'),
    );
  });
});
