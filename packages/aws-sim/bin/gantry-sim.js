#!/usr/bin/env node
// The simulator ships as TypeScript (workspace packages have no build step); tsx loads it.
import { register } from 'tsx/esm/api';

register();
await import('../src/cli.ts');
