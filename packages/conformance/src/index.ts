export { repoRoot, repoPath, workflowPaths, templatePaths, docPaths } from './paths.js';
export { lintWorkflowFiles, formatFinding, type Finding } from './lint.js';
export { codeBlocks, relativeLinks, type CodeBlock } from './markdown.js';
export * from './workflow.js';
export { evaluate, interpolate, condition, truthy, toText, type Context, type Value } from './expressions.js';
export { workflowInputsTable } from './workflow-tables.js';
export { rehearseWorkflow, type Rehearsal, type RehearsalOptions, type StepRecord, type JobRecord } from './rehearse.js';
