import { AwsError } from '../protocol/errors.js';

/**
 * Cursor pagination over items in a stable order. The token names the last item's position, so a page
 * costs one pass over what precedes it and deletions between pages never repeat or skip survivors.
 */
export function paginate<T>(
  items: Iterable<T>,
  position: (item: T) => number,
  options: { maxResults?: number; nextToken?: string; defaultMax: number; limit: number; member?: string; errorCode?: string },
): { page: T[]; nextToken?: string } {
  const max = options.maxResults ?? options.defaultMax;
  if (!Number.isInteger(max) || max < 1 || max > options.limit) {
    throw new AwsError(options.errorCode ?? 'InvalidParameterException', `Invalid parameter at '${options.member ?? 'maxResults'}' failed to satisfy constraint: 'Member must have value between 1 and ${options.limit}'`);
  }
  const after = options.nextToken === undefined ? -1 : decodeToken(options.nextToken, options.errorCode);
  const page: T[] = [];
  let more = false;
  for (const item of items) {
    if (position(item) <= after) continue;
    if (page.length === max) {
      more = true;
      break;
    }
    page.push(item);
  }
  return { page, nextToken: more ? encodeToken(position(page[page.length - 1]!)) : undefined };
}

export function encodeToken(position: number): string {
  return Buffer.from(JSON.stringify({ p: position })).toString('base64url');
}

export function decodeToken(token: string, errorCode = 'InvalidParameterException'): number {
  try {
    const p = JSON.parse(Buffer.from(token, 'base64url').toString('utf8')).p;
    if (typeof p === 'number') return p;
  } catch {
    /* fall through */
  }
  throw new AwsError(errorCode, 'Invalid parameter at \'nextToken\' failed to satisfy constraint: \'The token is not valid\'');
}
