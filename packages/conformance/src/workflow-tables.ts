import type { Workflow } from './workflow.js';

const cell = (text: unknown) => String(text ?? '').trim().replace(/\s+/g, ' ').replace(/\|/g, '\\|');

/** The inputs table of a reusable workflow as docs/workflows.md shows it (generated, then checked by a test). */
export function workflowInputsTable(workflow: Workflow): string {
  const inputs = workflow.on?.workflow_call?.inputs ?? {};
  const rows = Object.entries(inputs).map(([name, spec]) => {
    const fallback = spec.default === undefined || spec.default === '' ? '' : `\`${String(spec.default)}\``;
    return `| \`${name}\` | ${spec.required ? 'yes' : 'no'} | ${fallback} | ${cell(spec.description)} |`;
  });
  return ['| input | required | default | description |', '| --- | --- | --- | --- |', ...rows].join('\n');
}
