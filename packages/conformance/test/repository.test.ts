import { describe, expect, test } from '@jest/globals';
import { existsSync, readFileSync } from 'node:fs';
import { glob } from 'tinyglobby';
import { repoPath, repoRoot } from '../src/index.js';

// Repository hygiene a user and a reviewer rely on: one licence, declared everywhere and shipped in the
// bundles' licenses.txt (ncc writes it from each bundled package's `license` field and LICENSE file), and
// bundles with source maps.
const read = (path: string) => readFileSync(repoPath(path), 'utf8');
const license = read('LICENSE');
const workspaces = (await glob(['packages/*/package.json', 'actions/*/package.json'], { cwd: repoRoot })).map((p) => p.replace('/package.json', '')).sort();
const actions = workspaces.filter((w) => w.startsWith('actions/'));
const packageJson = (dir: string) => JSON.parse(read(`${dir}/package.json`)) as { name: string; license?: string; dependencies?: Record<string, string> };

describe('licence', () => {
  test('LICENSE is the MIT licence that package.json declares', () => {
    expect(license.split('\n')[0]).toBe('MIT License');
    expect(license).toContain('Permission is hereby granted, free of charge');
    expect(packageJson('.').license).toBe('MIT');
  });

  test('every workspace declares the same licence and carries its text (ncc reads both into licenses.txt)', () => {
    expect(workspaces.length).toBeGreaterThanOrEqual(10);
    const problems = workspaces.flatMap((dir) => [
      ...(packageJson(dir).license === 'MIT' ? [] : [`${dir}/package.json: license is ${packageJson(dir).license}, not MIT`]),
      ...(existsSync(repoPath(dir, 'LICENSE')) && read(`${dir}/LICENSE`) === license ? [] : [`${dir}/LICENSE is missing or differs from ./LICENSE`]),
    ]);
    expect(problems).toEqual([]);
  });

  test.each(actions)("%s/dist/licenses.txt names every bundled Gantry package with the MIT licence's text", (action) => {
    const bundled = Object.keys(packageJson(action).dependencies ?? {}).filter((d) => d.startsWith('@gantry/'));
    expect(bundled.length).toBeGreaterThan(0);
    const text = read(`${action}/dist/licenses.txt`);
    for (const name of bundled) expect(text).toContain(`${name}\nMIT\n${license.trimEnd()}`);
  });
});

describe('source maps', () => {
  test.each(actions)('%s/dist/index.js points at its map, and the map at the TypeScript sources', (action) => {
    expect(read(`${action}/dist/index.js`).trimEnd().endsWith('//# sourceMappingURL=index.js.map')).toBe(true);
    const map = JSON.parse(read(`${action}/dist/index.js.map`)) as { sources: string[] };
    // Relative to dist/, so the map is the same whichever directory built it.
    expect(map.sources).toContain('../src/main.ts');
    expect(map.sources.every((s) => !s.startsWith('/'))).toBe(true);
  });
});
