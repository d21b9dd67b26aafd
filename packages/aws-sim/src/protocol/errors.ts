/**
 * An AWS service error as the SDK expects it. JSON 1.1 errors are HTTP 400 (or 5xx for server faults)
 * with `{"__type": CODE, "message": TEXT}`; the SDK maps `__type` to the modelled exception class.
 * https://smithy.io/2.0/aws/protocols/aws-json-1_1-protocol.html#operation-error-serialization
 */
export class AwsError extends Error {
  constructor(
    readonly code: string,
    message: string,
    readonly status = 400,
    /** Extra members of the modelled exception, serialised beside `message`. */
    readonly fields: Record<string, unknown> = {},
  ) {
    super(message);
  }
}

export const invalidParameter = (message: string) => new AwsError('InvalidParameterException', message);
export const clientException = (message: string) => new AwsError('ClientException', message);
