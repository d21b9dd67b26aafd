export * from './runtime.js';
export * from './task-definition/index.js';
export * from './service/index.js';
export * from './run-task/index.js';
