export { runAction, type ActionRun, type RunOptions } from './run-action.js';
export { parseFileCommands } from './file-commands.js';
export { actionContractProblems, readActionMetadata, readmeTables, type ActionMetadata } from './action-contract.js';
