export { runOneOffTask, decidingExit, type RunTaskOptions, type RunTaskResult } from './run.js';
export { parseCommand } from './command.js';
export { placementFor, withClusterDefaultCapacity, type CapacityInput, type NetworkInput, type Placement } from './network.js';
export { MAX_OVERRIDE_CHARACTERS } from './run.js';
export { awsLogsLocation, LogFollower, type AwsLogsLocation } from './logs.js';
