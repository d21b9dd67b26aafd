import { describe, expect, it } from '@jest/globals';
import { parseFileCommands } from '../src/index.js';

describe('parseFileCommands', () => {
  it('reads plain and heredoc values', () => {
    expect(parseFileCommands('a=1\nb<<ghadelimiter_x\nline 1\nline 2\nghadelimiter_x\nc=x=y\n')).toEqual({ a: '1', b: 'line 1\nline 2', c: 'x=y' });
  });
  it('rejects an unterminated heredoc', () => {
    expect(() => parseFileCommands('a<<EOF\nno end')).toThrow("unterminated value for 'a'");
  });
});
