/**
 * JSON 1.1 / restJson1 serialisation. Timestamps travel as epoch seconds (with fractions) in both
 * directions; services keep Date objects internally and this module converts at the edge.
 * https://smithy.io/2.0/aws/protocols/aws-json-1_1-protocol.html#shape-serialization
 */
export function toWire(value: unknown): unknown {
  if (value instanceof Date) return value.getTime() / 1000;
  if (Array.isArray(value)) return value.map(toWire);
  if (value && typeof value === 'object') {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value)) if (v !== undefined) out[k] = toWire(v);
    return out;
  }
  return value;
}
