export { runDemo, type DemoOptions, type DemoResult } from './run.js';
export { renderSummary, keyLogLines } from './print.js';
export { probeDocker, type DockerProbe } from './docker.js';
