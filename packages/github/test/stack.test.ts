import { describe, expect, it } from '@jest/globals';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import ts from 'typescript';
import { readableStack } from '../src/stack.js';

/** Compiles a TypeScript file with its source map into a fresh directory, as ncc writes dist/ (index.mjs: ESM without a package.json). */
function compiled(source: string): { dir: string; js: string } {
  const dir = mkdtempSync(join(tmpdir(), 'gantry-stack-'));
  const out = ts.transpileModule(source, {
    fileName: 'src/fail.ts',
    compilerOptions: { module: ts.ModuleKind.ESNext, target: ts.ScriptTarget.ES2022, sourceMap: true, sourceRoot: '' },
  });
  const js = join(dir, 'index.mjs');
  writeFileSync(js, out.outputText.replace(/\/\/# sourceMappingURL=.*/, '//# sourceMappingURL=index.mjs.map'));
  writeFileSync(`${js}.map`, out.sourceMapText!.replace('"fail.js"', '"index.mjs"'));
  return { dir, js };
}

// The throw is on line 5, column 9 of the TypeScript; the type alias makes the emitted JS lines differ.
const SOURCE = ['// line 1', 'type Unused = string;', '', 'function fail(): never {', "  throw new TypeError('boom');", '}', 'try {', '  fail();', '} catch (err) {', '  console.log((err as Error).stack);', '}', ''].join('\n');

describe('readableStack', () => {
  it('points frames in a bundle with a map beside it at the TypeScript source', () => {
    const { dir, js } = compiled(SOURCE);
    const stack = execFileSync(process.execPath, [js], { encoding: 'utf8' }).trim();
    expect(stack).toContain(`${pathToFileURL(js).href}:`);
    const readable = readableStack(stack);
    expect(readable).toMatch(/^TypeError: boom\n/);
    expect(readable).toContain(`at fail (${join(dir, 'fail.ts')}:5:9)`);
    expect(readable).toContain(`at ${join(dir, 'fail.ts')}:8:3`);
    expect(readable).not.toContain('index.mjs:');
  });

  it('leaves frames without a source map, and Node internals, as they are', () => {
    const stack = ['Error: x', '    at run (/nowhere/dist/index.js:1:200)', '    at process.processTicksAndRejections (node:internal/process/task_queues:95:5)'].join('\n');
    expect(readableStack(stack)).toBe(stack);
  });
});
