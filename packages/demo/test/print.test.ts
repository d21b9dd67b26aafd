import { describe, expect, it } from '@jest/globals';
import { keyLogLines, renderSummary } from '../src/print.js';

describe('renderSummary', () => {
  it('drops HTML tags and link targets but keeps markdown tables', () => {
    const md = '## Guard\n\n| a | b |\n| --- | --- |\n| [x](https://example.com/x) | one<br>two |\n\n\n\n<details><summary>In-use images</summary>\n\n| i |\n| --- |\n</details>';
    expect(renderSummary(md)).toBe('## Guard\n\n| a | b |\n| --- | --- |\n| x | one, two |\n\nIn-use images\n\n| i |\n| --- |');
  });
});

describe('keyLogLines', () => {
  const log = ['::add-mask::secret', '::group::Inventory', '[event] started', 'noise', '::error::it broke%0Aline two', '::warning::careful', '::endgroup::'].join('\n');

  it('keeps selected lines and shows annotations as the runner does, without workflow commands', () => {
    expect(keyLogLines(log, (l) => l.startsWith('[event]'))).toEqual(['[event] started', 'Error: it broke\n      line two', 'Warning: careful']);
  });

  it('can leave warnings out', () => {
    expect(keyLogLines(log, () => false, { warnings: false })).toEqual(['Error: it broke\n      line two']);
  });
});
