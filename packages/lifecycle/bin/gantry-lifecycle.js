#!/usr/bin/env node
// Loads the TypeScript CLI through tsx's ESM loader (no build step in this monorepo).
import { register } from 'tsx/esm/api';

register();
const { runCli } = await import('../src/cli.ts');
process.exitCode = await runCli(process.argv.slice(2));
