export { runOneOffTask, decidingExit, type RunTaskOptions, type RunTaskResult } from './run.js';
export { parseCommand } from './command.js';
export { placementFor, type NetworkInput, type Placement } from './network.js';
export { awsLogsLocation, LogFollower, type AwsLogsLocation } from './logs.js';
