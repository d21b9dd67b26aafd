export { deployService, type DeployOptions, type DeployResult } from './deploy.js';
export { deploymentConfigurationFor, deploymentInProgress, preflight, updateService, waitForIdle, type UpdateOptions, type CircuitBreakerOptions } from './update.js';
export { watchRollout, pollRollout, describeState, type WatchOptions, type WatchResult, type Outcome } from './watch.js';
export { decide, rollbackState, stoppedTaskReasons, ourDeployment, type Decision, type RolloutSnapshot, type RolloutIdentity } from './decide.js';
export { deploymentSummary, stateReport, consoleUrl, revisionLabel } from './report.js';
