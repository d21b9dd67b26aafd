import { describe, expect, it } from '@jest/globals';
import { checkBuiltOnBase, outlineDockerfile } from '../src/index.js';

const check = (text: string, target?: string, arg = 'BASE_IMAGE') => checkBuiltOnBase(text, { file: 'docker/app.Dockerfile', arg, ...(target ? { target } : {}) });

describe('checkBuiltOnBase', () => {
  it('accepts the forms users write', () => {
    expect(check('ARG BASE_IMAGE\nFROM ${BASE_IMAGE}\nCOPY . /app\n').line).toBe(2);
    expect(check('# syntax=docker/dockerfile:1\nARG BASE_IMAGE=placeholder\nfrom $BASE_IMAGE as app\n').line).toBe(3);
    expect(check('ARG BASE_IMAGE\r\nFROM --platform=$BUILDPLATFORM ${BASE_IMAGE} AS app\r\nRUN true\r\n').line).toBe(2);
    // A later stage built on an earlier one that starts from the base.
    expect(check('ARG BASE_IMAGE\nFROM ${BASE_IMAGE} AS deps\nRUN install\nFROM deps AS Runtime\nCOPY . .\n').line).toBe(2);
    // A helper stage FROM elsewhere is fine as long as the built stage descends from the base.
    expect(check('ARG BASE_IMAGE\nARG NODE=node:22\nFROM ${NODE} AS assets\nRUN npm ci\nFROM ${BASE_IMAGE}\nCOPY --from=assets /out /app\n').line).toBe(5);
    // The target picks the stage; continuation lines and comments inside them are read as BuildKit does.
    expect(check('ARG BASE_IMAGE\nFROM ${BASE_IMAGE} AS web\nFROM scratch AS debug\n', 'web').line).toBe(2);
    expect(check('ARG \\\n  BASE_IMAGE\nFROM \\\n# a comment\n  ${BASE_IMAGE}\n').line).toBe(3);
    expect(check('# escape=`\nARG BASE_IMAGE\nFROM `\n  ${BASE_IMAGE}\n').line).toBe(3);
    expect(check('ARG PHP_BASE\nFROM ${PHP_BASE}\n', undefined, 'PHP_BASE').line).toBe(2);
  });

  it('refuses a Dockerfile whose built stage does not contain the base, naming the line', () => {
    expect(() => check('ARG BASE_IMAGE\nFROM scratch\n')).toThrow(/its built stage \(line 2\) starts FROM scratch, not FROM \$\{BASE_IMAGE\}, so the image would not contain the base image its labels name/);
    expect(() => check('ARG BASE_IMAGE\nFROM ${BASE_IMAGE} AS web\nFROM alpine AS tools\nFROM tools\n')).toThrow(/its built stage \(line 4\) descends from line 3, which starts FROM alpine/);
    expect(() => check('ARG BASE_IMAGE\nFROM ${BASE_IMAGE} AS web\nFROM scratch AS debug\n', 'debug')).toThrow(/line 3\) starts FROM scratch/);
    expect(() => check('FROM ${BASE_IMAGE}\nARG BASE_IMAGE\n')).toThrow(/does not declare ARG BASE_IMAGE before its first FROM/);
    expect(() => check('ARG BASE_IMAGE\nFROM ${BASE_IMAGE}-fpm\n')).toThrow(/starts FROM \$\{BASE_IMAGE\}-fpm/);
    expect(() => check('ARG BASE_IMAGE\n')).toThrow(/has no FROM instruction/);
    expect(() => check('ARG BASE_IMAGE\nFROM ${BASE_IMAGE} AS web\n', 'worker')).toThrow(/has no stage named 'worker' \(the 'target' input\); its stages: web/);
  });

  it('outlines global args and stages', () => {
    expect(outlineDockerfile('ARG A=1 B\nFROM x AS one\nARG C\nFROM one\n')).toEqual({
      globalArgs: ['A', 'B'],
      stages: [{ from: 'x', name: 'one', line: 2 }, { from: 'one', line: 4 }],
    });
  });
});
