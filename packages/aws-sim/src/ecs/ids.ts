import { randomBytes } from 'node:crypto';

/** Identifiers shaped like ECS's: 32 hex for tasks, `ecs-svc/` + 19 digits for deployments. */
export const taskId = () => randomBytes(16).toString('hex');
export const deploymentId = () => `ecs-svc/${BigInt('0x' + randomBytes(8).toString('hex')).toString().padStart(20, '0').slice(-19)}`;
export const revisionId = () => BigInt('0x' + randomBytes(8).toString('hex')).toString().slice(0, 19);
export const shortId = () => randomBytes(11).toString('base64url').slice(0, 22);

export interface ArnScope {
  region: string;
  accountId: string;
}
export const arn = (s: ArnScope, resource: string) => `arn:aws:ecs:${s.region}:${s.accountId}:${resource}`;

/** Last path segment of an ARN, or the input when it is already a name. */
export function nameFromArn(value: string): string {
  if (!value.startsWith('arn:')) return value;
  const resource = value.split(':').slice(5).join(':');
  return resource.slice(resource.lastIndexOf('/') + 1);
}

/** For `.../service/cluster/name` ARNs: the cluster named inside, if any. */
export function clusterFromArn(value: string): string | undefined {
  if (!value.startsWith('arn:')) return undefined;
  const parts = value.split(':').slice(5).join(':').split('/');
  return parts.length >= 3 ? parts[1] : undefined;
}

/** Opaque pagination tokens: an offset, base64url-encoded. */
export function encodeToken(offset: number): string {
  return Buffer.from(JSON.stringify({ o: offset })).toString('base64url');
}
export function decodeToken(token: unknown): number | undefined {
  if (token === undefined || token === null || token === '') return 0;
  try {
    const o = JSON.parse(Buffer.from(String(token), 'base64url').toString()).o;
    return Number.isInteger(o) && o >= 0 ? o : undefined;
  } catch {
    return undefined;
  }
}
