import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { parse as parseYaml } from 'yaml';

export interface ActionMetadata {
  name: string;
  description: string;
  branding?: { icon?: string; color?: string };
  inputs?: Record<string, { description?: string; required?: boolean; default?: unknown }>;
  outputs?: Record<string, { description?: string }>;
  runs: { using: string; main: string; post?: string };
}

export async function readActionMetadata(actionDir: string): Promise<ActionMetadata> {
  return parseYaml(await readFile(join(actionDir, 'action.yml'), 'utf8')) as ActionMetadata;
}

const oneLine = (text: string | undefined) => (text ?? '').trim().replace(/\s*\n\s*/g, ' ').replace(/\|/g, '\\|');

/** The inputs and outputs tables an action's README must contain, generated from action.yml. */
export function readmeTables(meta: ActionMetadata): string {
  const inputs = Object.entries(meta.inputs ?? {}).map(
    ([name, spec]) =>
      `| \`${name}\` | ${spec.required ? 'yes' : 'no'} | ${spec.default === undefined || spec.default === '' ? '' : `\`${String(spec.default)}\``} | ${oneLine(spec.description)} |`,
  );
  const outputs = Object.entries(meta.outputs ?? {}).map(([name, spec]) => `| \`${name}\` | ${oneLine(spec.description)} |`);
  return [
    '### Inputs',
    '',
    '| name | required | default | description |',
    '| --- | --- | --- | --- |',
    ...inputs,
    '',
    '### Outputs',
    '',
    '| name | description |',
    '| --- | --- |',
    ...outputs,
  ].join('\n');
}

/**
 * What is wrong with an action's metadata and README, as a list of sentences (empty when all is well):
 * the fields the Marketplace and runner need, and README tables in step with action.yml.
 */
export async function actionContractProblems(actionDir: string): Promise<string[]> {
  const meta = await readActionMetadata(actionDir);
  const problems: string[] = [];
  if (!meta.name) problems.push('action.yml has no name');
  if (!meta.description) problems.push('action.yml has no description');
  if (!meta.branding?.icon || !meta.branding.color) problems.push('action.yml has no branding icon and color');
  if (meta.runs?.using !== 'node24') problems.push(`runs.using is '${meta.runs?.using}', expected node24`);
  for (const [kind, entries] of [['input', meta.inputs], ['output', meta.outputs]] as const) {
    for (const [name, spec] of Object.entries(entries ?? {})) {
      if (!spec.description?.trim()) problems.push(`${kind} '${name}' has no description`);
    }
  }
  const readme = await readFile(join(actionDir, 'README.md'), 'utf8');
  if (!readme.includes(readmeTables(meta))) {
    problems.push('README.md inputs/outputs tables differ from action.yml; regenerate them with `npm run readme-tables`');
  }
  if (!/```ya?ml[\s\S]*uses: [^\s]+/.test(readme)) problems.push('README.md has no usage example');
  problems.push(...separatorProblems(meta, await readFile(join(actionDir, 'src', 'inputs.ts'), 'utf8').catch(() => '')));
  return problems;
}

/** The sentence each list or map input's description carries, so users know whether commas split it. */
export const SEPARATOR_SENTENCES = { comma: 'Separated by commas or newlines.', newline: 'One per line (commas belong to the value).' } as const;

/**
 * Every `inputs.list(...)` and `inputs.map(...)` in the action's inputs module must be declared in its
 * action.yml description with the sentence for its separator (maps are always one pair a line).
 */
export function separatorProblems(meta: ActionMetadata, inputsSource: string): string[] {
  const problems: string[] = [];
  const calls = inputsSource.matchAll(/inputs\.(list|map)\('([^']+)',\s*\{([^}]*)\}/g);
  for (const [, kind, name, spec] of calls) {
    const separator = kind === 'map' ? 'newline' : /separator:\s*'comma'/.test(spec!) ? 'comma' : 'newline';
    const description = meta.inputs?.[name!]?.description ?? '';
    if (!description.includes(SEPARATOR_SENTENCES[separator])) {
      problems.push(`input '${name}' is a ${kind} split on ${separator === 'comma' ? 'commas and newlines' : 'newlines only'}; its description must say "${SEPARATOR_SENTENCES[separator]}"`);
    }
  }
  return problems;
}
