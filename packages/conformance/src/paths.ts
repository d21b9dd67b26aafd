import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { glob } from 'tinyglobby';

/** The repository root (packages/conformance/src → ../../..). */
export const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), '../../..');

export const repoPath = (...parts: string[]) => join(repoRoot, ...parts);

/** Reusable workflows in .github/workflows (relative paths, sorted). */
export const workflowPaths = () => glob(['.github/workflows/*.{yml,yaml}'], { cwd: repoRoot }).then((p) => p.sort());

/** Starter workflows a team copies into its app repository. */
export const templatePaths = () => glob(['workflows-templates/*.{yml,yaml}'], { cwd: repoRoot }).then((p) => p.sort());

export const docPaths = () => glob(['docs/**/*.md'], { cwd: repoRoot }).then((p) => p.sort());
