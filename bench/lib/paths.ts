import { join } from 'node:path';

export const repoRoot = join(import.meta.dirname, '..', '..');
export const actionDir = (name: string) => join(repoRoot, 'actions', name);
export const ACTIONS = ['build-image', 'register-task-definition', 'deploy-service', 'run-task', 'ecr-lifecycle-guard'] as const;
