// Reading a request's parameters the way the Data API does, with its error messages
// (api-contracts/others.md §1): every failure is HTTP 400 {"error":"…","request":"/api/2.0/…?…"}.
import { decode } from '../params.js';

export class ApiError extends Error {
  constructor(
    message: string,
    readonly status = 400,
    readonly headers: Record<string, string> = {},
  ) {
    super(message);
  }
}

/** application/x-www-form-urlencoded: `+` is a space; the last of a repeated name wins. */
export function parseForm(query: string): Map<string, string> {
  const out = new Map<string, string>();
  for (const part of query.split('&')) {
    if (part === '') continue;
    const eq = part.indexOf('=');
    const rawKey = eq < 0 ? part : part.slice(0, eq);
    const rawValue = eq < 0 ? '' : part.slice(eq + 1);
    out.set(decode(rawKey), decode(rawValue));
  }
  return out;
}

export class Params {
  constructor(readonly map: Map<string, string>) {}

  has(name: string): boolean {
    return this.map.has(name) && this.map.get(name) !== '';
  }

  required(name: string): string {
    const v = this.map.get(name);
    if (v === undefined || v === '') throw new ApiError(`Missing required parameter: ${name}`);
    return v;
  }

  optional(name: string): string | undefined {
    const v = this.map.get(name);
    return v === undefined || v === '' ? undefined : v;
  }

  /** A JSON array of strings ("Invalid JSON Format: X" otherwise). */
  list(name: string, required = true): string[] | undefined {
    const raw = required ? this.required(name) : this.optional(name);
    if (raw === undefined) return undefined;
    let parsed: unknown;
    try {
      parsed = JSON.parse(raw);
    } catch {
      throw new ApiError(`Invalid JSON Format: ${name}`);
    }
    if (!Array.isArray(parsed) || !parsed.every((v) => typeof v === 'string')) throw new ApiError(`Invalid JSON Format: ${name}`);
    return parsed as string[];
  }

  choice<T extends string>(name: string, allowed: readonly T[], fallback?: T): T {
    const v = fallback === undefined ? this.required(name) : (this.optional(name) ?? fallback);
    if (!(allowed as readonly string[]).includes(v)) throw new ApiError(`Invalid parameter: ${name}`);
    return v as T;
  }

  /** A whole number from 1 to max. */
  count(name: string, max: number, fallback?: number): number {
    const raw = fallback === undefined ? this.required(name) : this.optional(name);
    if (raw === undefined) return fallback as number;
    const n = Number(raw);
    if (!/^\d+$/.test(raw) || n < 1 || n > max) throw new ApiError(`Invalid parameter: ${name}`);
    return n;
  }
}

/** The error body: the message, and the request as the server saw it (path and raw query). */
export function errorBody(message: string, path: string, query: string): string {
  return JSON.stringify({ error: message, request: `${path}${query ? `?${query}` : ''}` });
}
