export { UserError, InputError } from './errors.js';
export { Inputs, splitList, splitLines, type ListSeparator, parseDuration, formatDuration, type InputSource, type InputSpec } from './inputs.js';
export { markdownTable, keyValueTable, details, codeBlock, escapeCell, type Cell } from './summary.js';
export { actionIO, runAction, describeFailure } from './runtime.js';
