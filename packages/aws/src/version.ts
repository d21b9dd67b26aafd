/** Gantry's version, sent in every AWS request's user agent. Kept in step with the root package.json by a test. */
export const GANTRY_VERSION = '0.1.0';
