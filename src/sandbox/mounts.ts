import type http from 'node:http';
import type { ApiResponse } from './handler.js';
import type { TieOrder } from './options.js';

// The other providers' APIs, each under its own path prefix on the same loopback server:
// http://127.0.0.1:<port>/mixpanel is Mixpanel's host root, /sealmetrics Sealmetrics', and so on.
// mbuzz itself lives at the root (/api/v1/data/...), as on mbuzz.co.

export interface SandboxRequest {
  method: string;
  /** Path with the mount's prefix removed ('/api/2.0/events/'). */
  path: string;
  /** Raw query string without '?'. */
  query: string;
  headers: http.IncomingHttpHeaders;
  /** Request body as text ('' for GET). */
  body: string;
}

export interface MountContext {
  seed: number;
  scale: number;
  tieOrder: TieOrder;
  /** The sandbox clock. */
  nowMs: () => number;
  dataStartDay: number;
  rateLimits: 'real' | 'off';
}

export interface MountResponse extends ApiResponse {
  /** Extra headers (content-type overrides the JSON default). */
  headers?: Record<string, string>;
}

export interface SandboxMount {
  /** '/mixpanel': requests whose path starts with it go here. */
  prefix: string;
  handle(req: SandboxRequest): MountResponse | Promise<MountResponse>;
}

export type MountFactory = (ctx: MountContext) => SandboxMount;

/**
 * What a provider's record points at (lazily): its API's local copy, and the banner lines that
 * tell a person how to reach it with working credentials.
 */
export interface SandboxProvider {
  mount: MountFactory;
  /** `root` is this API's host root on the sandbox (the server's URL plus the mount's prefix). */
  banner(root: string): string[];
}

export function findMount(mounts: readonly SandboxMount[], path: string): SandboxMount | undefined {
  return mounts.find((m) => path === m.prefix || path.startsWith(`${m.prefix}/`));
}
