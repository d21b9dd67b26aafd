export { startSimulator, SIM_ACCOUNT_ID, SIM_REGION, type Simulator, type SimulatorOptions, type SimControl } from './simulator.js';
export { SimClock } from './clock.js';
export { AwsError } from './protocol/errors.js';
export type { FaultSettings } from './protocol/faults.js';
export type { QuotaModel, QuotaSettings } from './protocol/quotas.js';
export { parseImageRef, type ImageLookup, type ResolvedImage } from './images.js';
export { ImageBehaviours, readScenarioFile, type ImageBehaviour, type Scenario } from './scenario.js';
export { failureThreshold, type CircuitBreakerConfig, type ThresholdType } from './ecs/circuit-breaker.js';
export type { LogSink } from './logs/index.js';
