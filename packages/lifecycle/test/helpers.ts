import { evaluatePolicy, parsePolicy, type LifecycleImage, type LifecycleRule } from '../src/index.js';

export const NOW = new Date('2025-06-01T12:00:00Z');
export const DAY = 86_400_000;

export const daysAgo = (days: number): Date => new Date(NOW.getTime() - days * DAY);

/** An image named by a letter, as the AWS examples do ("Image A, Taglist: [...], Pushed: N days ago"). */
export function image(name: string, tags: string[], pushedDaysAgo: number, extra: Partial<LifecycleImage> = {}): LifecycleImage {
  return { imageDigest: `sha256:${name}`, imageTags: tags, imagePushedAt: daysAgo(pushedDaysAgo), ...extra };
}

/** Goes through the policy text path (length, JSON, validation) like a real PutLifecyclePolicy. */
export function policyOf(rules: Array<Omit<LifecycleRule, 'selection'> & { selection: Record<string, unknown> }>) {
  return parsePolicy(JSON.stringify({ rules }, null, 2));
}

/** Evaluates and returns "name:action:rule" strings, sorted by name, for compact assertions. */
export function outcome(rules: Parameters<typeof policyOf>[0], images: LifecycleImage[], now = NOW): string[] {
  return evaluatePolicy(policyOf(rules), images, { now })
    .map((d) => `${d.imageDigest.replace('sha256:', '')}:${d.action}:${d.rulePriority}`)
    .sort();
}
