/**
 * An error whose message is written for the person who configured the workflow. The action's edge
 * turns it into exactly one `::error::` line; anything else is reported as an unexpected failure.
 */
export class UserError extends Error {
  override name = 'UserError';
  constructor(
    message: string,
    /** A hint on how to fix it, printed after the message. */
    readonly fix?: string,
  ) {
    super(fix ? `${message} ${fix}` : message);
  }
}

/** A wrong or missing action input. The message names the input and shows a right value. */
export class InputError extends UserError {
  override name = 'InputError';
  constructor(
    readonly input: string,
    problem: string,
    readonly example: string,
  ) {
    super(`Input '${input}' ${problem}.`, `Example: ${input}: ${example}`);
  }
}
