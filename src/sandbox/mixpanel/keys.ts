// The sandbox project's credentials, printed by `mbuzz sandbox` and listed in
// docs/sandbox-mixpanel.md. The legacy pair is the contract's test vector A, so a request
// signed by hand with the documented example verifies here.

/** Data API 2.0 (signed requests). */
export const SANDBOX_API_KEY = 'f0aa346688cee071cd85d857285a3464';
export const SANDBOX_API_SECRET = 'b7e4c2d1a9f84e3c8d6a5b4c3d2e1f00';

/** Raw export: a service account (HTTP Basic username:secret, plus project_id). */
export const SANDBOX_SA_USERNAME = 'mbuzz-sandbox.3f9a1c.mp-service-account';
export const SANDBOX_SA_SECRET = 'mpsa_0b7c41d2e9f8a6b5c4d3e2f1a0b9c8d7';
export const SANDBOX_PROJECT_ID = '1234567';

/**
 * A second project the service account can read, which misbehaves on purpose: its export
 * ignores from_date/to_date and always answers with the first day of data, so a client that
 * does not check what it got would write the same events once per requested day.
 */
export const SANDBOX_BROKEN_PROJECT_ID = '7654321';
