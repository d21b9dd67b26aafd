import { describe, expect, test } from '@jest/globals';
import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { callInputs, gantryWorkflowPath, loadWorkflow, repoPath, templatePaths } from '../src/index.js';

const templates = await templatePaths();

describe('starter templates', () => {
  test.each(templates)('(c) %s has a valid .properties.json (name, description, iconName, categories)', async (template) => {
    const propertiesPath = template.replace(/\.ya?ml$/, '.properties.json');
    expect(existsSync(repoPath(propertiesPath))).toBe(true);
    const properties = JSON.parse(await readFile(repoPath(propertiesPath), 'utf8'));
    expect(properties).toEqual(
      expect.objectContaining({ name: expect.any(String), description: expect.any(String), iconName: expect.any(String), categories: expect.any(Array) }),
    );
    expect(properties.name.trim()).not.toBe('');
    expect(properties.description.length).toBeGreaterThan(20);
    expect(properties.categories.length).toBeGreaterThan(0);
    for (const c of properties.categories) expect(typeof c).toBe('string');
    // Organisation templates take an SVG beside them, or an octicon as `octicon <name>`.
    if (!properties.iconName.startsWith('octicon ')) expect(existsSync(repoPath('workflows-templates', `${properties.iconName}.svg`))).toBe(true);
    for (const p of properties.filePatterns ?? []) expect(() => new RegExp(p)).not.toThrow();
  });

  test('every properties.json belongs to a template', async () => {
    const { glob } = await import('tinyglobby');
    const properties = await glob(['workflows-templates/*.properties.json'], { cwd: repoPath() });
    for (const p of properties) expect(templates).toContain(p.replace('.properties.json', '.yml'));
  });

  test.each(templates)('%s calls a reusable workflow here with inputs it declares, and every required one', async (template) => {
    const wf = await loadWorkflow(template);
    const calls = Object.entries(wf.jobs).filter(([, job]) => job.uses);
    expect(calls.length).toBeGreaterThan(0);
    for (const [id, job] of calls) {
      const target = gantryWorkflowPath(job.uses);
      expect([id, target]).toEqual([id, expect.stringMatching(/^\.github\/workflows\//)]);
      const inputs = callInputs(await loadWorkflow(target!));
      expect(inputs).toBeDefined();
      const given = Object.keys(job.with ?? {});
      expect(given.filter((g) => !(g in inputs!))).toEqual([]);
      const missing = Object.entries(inputs!).filter(([name, spec]) => spec.required && !given.includes(name)).map(([name]) => name);
      expect([id, missing]).toEqual([id, []]);
      // A caller must grant what the called workflow's jobs ask for, or the OIDC token is never issued.
      expect(job.permissions).toEqual({ 'id-token': 'write', contents: 'read' });
    }
  });
});
