import { createHash } from 'node:crypto';

// Mixpanel Data API 2.0 request signing, as the official Python client (`hash_args`) does it
// (api-contracts/others.md §1): list values become JSON text, keys are sorted by code point,
// `key=value` pairs are joined with no separator, the API secret is appended and the whole
// UTF-8 string is md5'd. The server hashes what it *receives*, so a list must be sent exactly
// as it was signed: `encodeList` is used for both.

/** A parameter value: a string, or a list the API wants as a JSON array. */
export type ParamValue = string | readonly string[];

export type ListStyle = 'python' | 'compact';

/**
 * A list as JSON text. `python` is `json.dumps(list)`: `", "` between items and every
 * non-ASCII code unit escaped as \uXXXX (what the docs' example URL carries). `compact` is
 * `JSON.stringify`, as the JavaScript clients send it; both verify, as long as sent = signed.
 */
export function encodeList(items: readonly string[], style: ListStyle = 'python'): string {
  if (style === 'compact') return JSON.stringify(items);
  return `[${items.map(pythonJsonString).join(', ')}]`;
}

/** json.dumps(str) with ensure_ascii: JSON.stringify already matches Python below U+0080. */
function pythonJsonString(s: string): string {
  return JSON.stringify(s).replace(/[\u0080-\uffff]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
}

/** Every parameter as the string that is both signed and sent. */
export function wireParams(params: Readonly<Record<string, ParamValue>>, style: ListStyle = 'python'): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(params)) out[k] = typeof v === 'string' ? v : encodeList(v, style);
  return out;
}

/** Code-point order (not UTF-16 units), as Python's sorted() compares str keys. */
export function compareCodePoints(a: string, b: string): number {
  const x = [...a];
  const y = [...b];
  for (let i = 0; i < Math.min(x.length, y.length); i++) {
    const d = (x[i] as string).codePointAt(0)! - (y[i] as string).codePointAt(0)!;
    if (d !== 0) return d;
  }
  return x.length - y.length;
}

/** The exact string that is hashed, secret excluded: `k1=v1k2=v2…` over sorted keys. */
export function signatureBase(wire: Readonly<Record<string, string>>): string {
  return Object.keys(wire)
    .filter((k) => k !== 'sig' && k !== 'callback')
    .sort(compareCodePoints)
    .map((k) => `${k}=${wire[k]}`)
    .join('');
}

export function signWire(wire: Readonly<Record<string, string>>, apiSecret: string): string {
  return createHash('md5').update(signatureBase(wire) + apiSecret, 'utf8').digest('hex');
}

/**
 * A form value the way Python's urlencode (quote_plus) writes it: only `A-Za-z0-9_.-~` stay
 * as they are, space is `+`. encodeURIComponent also keeps `!'()*`, so those are escaped here.
 */
export function quotePlus(value: string): string {
  return encodeURIComponent(value)
    .replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`)
    .replace(/%20/g, '+');
}

/** `k=v&…` in sorted key order, sig included: the query Python's client sends. */
export function encodeQuery(wire: Readonly<Record<string, string>>): string {
  return Object.keys(wire)
    .sort(compareCodePoints)
    .map((k) => `${quotePlus(k)}=${quotePlus(wire[k] as string)}`)
    .join('&');
}

export interface SignInput {
  /** Endpoint parameters (format defaults to json). */
  params: Readonly<Record<string, ParamValue>>;
  apiKey: string;
  apiSecret: string;
  /** Unix seconds after which the server refuses the request. */
  expire: number;
  style?: ListStyle;
}

/** The signed query string (api_key, expire, format, sig added; the secret never sent). */
export function signedQuery(input: SignInput): string {
  const wire = wireParams({ format: 'json', ...input.params, api_key: input.apiKey, expire: String(input.expire) }, input.style);
  delete wire.sig;
  wire.sig = signWire(wire, input.apiSecret);
  return encodeQuery(wire);
}

/** Requests stay valid this long (the Python client's default): enough for retries and skew. */
export const EXPIRE_SECONDS = 600;
