/**
 * The awsQuery protocol (Elastic Load Balancing v2): a form-encoded POST with `Action` and `Version`,
 * answered with XML `<ActionResponse><ActionResult>…</ActionResult><ResponseMetadata>…` and errors as
 * `<ErrorResponse><Error><Type>Sender</Type><Code>…</Code><Message>…</Message></Error>`.
 * https://smithy.io/2.0/aws/protocols/aws-query-protocol.html
 */
import { randomUUID } from 'node:crypto';
import type { AwsError } from './errors.js';

/**
 * Turns `Names.member.1=a&Actions.member.1.ForwardConfig.TargetGroups.member.1.Weight=10` into
 * `{ Names: ['a'], Actions: [{ ForwardConfig: { TargetGroups: [{ Weight: '10' }] } }] }`. Values stay
 * strings; each operation converts the numbers and booleans it expects. Map entries (`entry.N.key`)
 * come out as lists of `{ key, value }`.
 */
export function parseQuery(body: string): { action?: string; version?: string; params: Record<string, any> } {
  const form = new URLSearchParams(body);
  const params: Record<string, any> = {};
  let action: string | undefined;
  let version: string | undefined;
  for (const [key, value] of form) {
    if (key === 'Action') action = value;
    else if (key === 'Version') version = value;
    else setPath(params, key.split('.'), value);
  }
  return { action, version, params: compact(params) };
}

function setPath(target: Record<string, any>, path: string[], value: string): void {
  let node: any = target;
  for (let i = 0; i < path.length; i++) {
    let key = path[i]!;
    const last = i === path.length - 1;
    // `X.member.N` / `X.entry.N`: a list element, held in an index-keyed object until compact().
    if ((key === 'member' || key === 'entry') && i + 1 < path.length && /^\d+$/.test(path[i + 1]!)) {
      node.__list = true;
      key = path[++i]!;
      if (i === path.length - 1) {
        node[key] = value;
        return;
      }
    } else if (last) {
      node[key] = value;
      return;
    }
    node[key] ??= {};
    node = node[key];
  }
}

function compact(node: any): any {
  if (!node || typeof node !== 'object') return node;
  if (node.__list) {
    return Object.keys(node)
      .filter((k) => k !== '__list')
      .sort((a, b) => Number(a) - Number(b))
      .map((k) => compact(node[k]));
  }
  return Object.fromEntries(Object.entries(node).map(([k, v]) => [k, compact(v)]));
}

const escapeXml = (s: string) => s.replace(/[<>&'"]/g, (c) => ({ '<': '&lt;', '>': '&gt;', '&': '&amp;', "'": '&apos;', '"': '&quot;' })[c]!);

/** XML for a value: objects become elements, arrays `<member>` lists, Dates ISO 8601 timestamps. */
export function toXml(value: unknown): string {
  if (value === undefined || value === null) return '';
  if (value instanceof Date) return value.toISOString();
  if (Array.isArray(value)) return value.map((v) => `<member>${toXml(v)}</member>`).join('');
  if (typeof value === 'object') {
    return Object.entries(value as Record<string, unknown>)
      .filter(([, v]) => v !== undefined && v !== null)
      .map(([k, v]) => `<${k}>${toXml(v)}</${k}>`)
      .join('');
  }
  return escapeXml(String(value));
}

export function queryResponse(action: string, xmlNamespace: string, result: unknown): string {
  const requestId = randomUUID();
  return `<?xml version="1.0" encoding="UTF-8"?>\n<${action}Response xmlns="${xmlNamespace}"><${action}Result>${toXml(result ?? {})}</${action}Result><ResponseMetadata><RequestId>${requestId}</RequestId></ResponseMetadata></${action}Response>`;
}

/** `Sender` for client errors (4xx), `Receiver` for server faults. */
export function queryError(err: AwsError, xmlNamespace: string): string {
  const type = err.status >= 500 ? 'Receiver' : 'Sender';
  return `<?xml version="1.0" encoding="UTF-8"?>\n<ErrorResponse xmlns="${xmlNamespace}"><Error><Type>${type}</Type><Code>${escapeXml(err.code)}</Code><Message>${escapeXml(err.message)}</Message></Error><RequestId>${randomUUID()}</RequestId></ErrorResponse>`;
}

/**
 * An awsQuery service is registered as a JsonService whose targetPrefix is `awsQuery:<Version>`, so the
 * region routing that wraps JSON services serves it unchanged; the server picks it by the `Version` field.
 */
export const QUERY_PREFIX = 'awsQuery:';

const NAMESPACES: Record<string, string> = {
  // https://docs.aws.amazon.com/elasticloadbalancing/latest/APIReference/Welcome.html
  '2015-12-01': 'http://elasticloadbalancing.amazonaws.com/doc/2015-12-01/',
};

export const queryNamespace = (version: string | undefined) => NAMESPACES[version ?? ''] ?? '';
