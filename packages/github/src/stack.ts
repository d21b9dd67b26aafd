import { readFileSync } from 'node:fs';
import { SourceMap } from 'node:module';
import { dirname, isAbsolute, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

/** `file:///…/dist/index.js:1:2345` or `/…/dist/index.js:1:2345` inside a stack frame. */
const LOCATION = /(?<=\(|at )(file:\/\/\/[^\s()]+|\/[^\s():]+):(\d+):(\d+)/g;

/**
 * An error's stack with every frame in a file that has a source map beside it (`dist/index.js.map`,
 * written by `ncc -s`) pointed at the TypeScript source instead of the minified bundle. This is what
 * `node --enable-source-maps` does, but action.yml cannot pass flags to the runner's node, and
 * `process.setSourceMapsEnabled(true)` only applies to files loaded after the call, not to the bundle
 * that makes it. The map is read only here, on an unexpected error, so start-up pays nothing for it.
 */
export function readableStack(stack: string): string {
  const maps = new Map<string, SourceMap | undefined>();
  const mapOf = (file: string) => {
    if (!maps.has(file)) maps.set(file, loadSourceMap(`${file}.map`));
    return maps.get(file);
  };
  return stack.replace(LOCATION, (location, file: string, line: string, column: string) => {
    const path = file.startsWith('file:') ? fileURLToPath(file) : file;
    const origin = mapOf(path)?.findOrigin(Number(line), Number(column));
    if (!origin || !('fileName' in origin)) return location;
    const source = isAbsolute(origin.fileName) || /^[a-z]+:/.test(origin.fileName) ? origin.fileName : resolve(dirname(path), origin.fileName);
    return `${source}:${origin.lineNumber}:${origin.columnNumber}`;
  });
}

function loadSourceMap(path: string): SourceMap | undefined {
  try {
    return new SourceMap(JSON.parse(readFileSync(path, 'utf8')));
  } catch {
    return undefined;
  }
}
