export { actionNode, runAction, type ActionRun, type RunOptions } from './run-action.js';
export { parseFileCommands } from './file-commands.js';
export { actionContractProblems, readActionMetadata, readmeTables, separatorProblems, SEPARATOR_SENTENCES, type ActionMetadata } from './action-contract.js';
export {
  DOCKER_REGISTRY_ACTIONS,
  iamActionSources,
  iamActionsReachableFrom,
  iamListIn,
  iamListProblems,
  type DockerUse,
  type IamActionFor,
  type IamListEntry,
} from './iam-actions.js';
export { dockerRequired, dockerTestEnv, runOrSkip } from './docker-env.js';
