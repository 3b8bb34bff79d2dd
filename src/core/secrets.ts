// Secrets never leave the process in clear: logs, errors, manifests and `mbuzz profiles` show
// them as `sk_live_…9f2c`. Besides the helpers, this file holds the process-wide registry every
// credential is added to where it is resolved (keys, URL and proxy passwords, tokens obtained at
// runtime), and the mask on the process's stderr that applies it to every line, whoever wrote it.
// It imports nothing of the project, so anything may import it.

export function maskSecret(secret: string): string {
  const prefix = /^([a-z]+_(?:live|test)_)/i.exec(secret)?.[1] ?? '';
  const tail = secret.length - prefix.length >= 12 ? secret.slice(-4) : '';
  return `${prefix}…${tail}`;
}

/** Shorter values are not masked: they would match everyday text (and say little anyway). */
const MIN_SECRET_LENGTH = 4;

/** The forms a secret may take in a message: as is, URL-encoded (a query), JSON-escaped (a quoted body). */
function formsOf(secret: string): string[] {
  return [...new Set([secret, encodeURIComponent(secret), JSON.stringify(secret).slice(1, -1)])];
}

/** Replace every occurrence of each secret (raw, URL-encoded or JSON-escaped) in `text` by its mask. */
export function redact(text: string, secrets: readonly string[]): string {
  let out = text;
  // Longest first: a secret that contains another is masked whole.
  for (const s of [...secrets].sort((a, b) => b.length - a.length)) {
    if (s.length < MIN_SECRET_LENGTH) continue;
    for (const form of formsOf(s)) if (out.includes(form)) out = out.split(form).join(maskSecret(s));
  }
  return out;
}

/**
 * `scheme://user:password@` anywhere in a text: the password becomes `****` and the user stays (it
 * names the account); a lone `scheme://token@` is masked whole, as tokens are often put there.
 */
const USERINFO = /\b([a-z][a-z0-9+.-]*:\/\/)([^\s/?#@:]*)(:[^\s/?#@]*)?@/gi;

/**
 * A password given as a URL's query parameter (`postgresql://u@host/db?password=...`, libpq's
 * form; `sslpassword` unlocks a client key): masked like userinfo, whether or not anything parsed
 * the URL first (a usage error can stop a run before it does).
 */
const QUERY_PASSWORD = /([?&](?:password|sslpassword|passwd|pwd)=)[^&#\s]*/gi;

export function maskUrlUserinfo(text: string): string {
  const masked = text.includes('=') ? text.replace(QUERY_PASSWORD, '$1****') : text;
  if (!masked.includes('@')) return masked;
  return masked.replace(USERINFO, (_m, scheme: string, user: string, password: string | undefined) => (password !== undefined ? `${scheme}${user}:****@` : `${scheme}****@`));
}

// C0 controls (ESC, BEL, CR, LF, ...), DEL, C1 controls, and the Unicode direction overrides that
// can make a terminal line read differently from what it holds.
const CONTROLS = /[\u0000-\u001f\u007f-\u009f\u200e\u200f\u202a-\u202e\u2066-\u2069]/g;

/** Server-provided text, made safe to quote on one terminal line: controls become spaces, runs of them one. */
export function stripControls(text: string): string {
  return text.replace(CONTROLS, ' ').replace(/ {2,}/g, ' ');
}

/**
 * Server text for a one-line message: no terminal controls (ESC, BEL, CR, ...), not a whole page.
 * Masked before it is cut, so the cut cannot fall inside a secret and leave part of it unmatched.
 */
export function quotable(text: string, max = 300): string {
  const clean = maskText(stripControls(text)).trim();
  return clean.length > max ? `${clean.slice(0, max)}…` : clean;
}

const registry = new Set<string>();

/** Mask this value in every message from now on (it is a key, a password, a token). */
export function registerSecret(value: string | undefined): void {
  if (value !== undefined && value.length >= MIN_SECRET_LENGTH) registry.add(value);
}

/** A Basic credential: the password, and the header's base64 of `user:password` (servers echo headers). */
export function registerBasicAuth(user: string, password: string): void {
  registerSecret(password);
  registerSecret(Buffer.from(`${user}:${password}`).toString('base64'));
}

/** The password of a URL's userinfo (`http://user:pass@host`), as written and decoded, and its Basic form. */
export function registerUrlCredentials(url: string): void {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return;
  }
  if (parsed.password === '') return;
  registerSecret(parsed.password);
  registerBasicAuth(safeDecode(parsed.username), safeDecode(parsed.password));
}

function safeDecode(s: string): string {
  try {
    return decodeURIComponent(s);
  } catch {
    return s;
  }
}

/** What is registered so far (for callers that mask with their own list too). */
export function registeredSecrets(): string[] {
  return [...registry];
}

/** Every registered secret (plus `extra`) and every URL password in `text`, masked. */
export function maskText(text: string, extra: readonly string[] = []): string {
  const secrets = extra.length ? [...registry, ...extra] : [...registry];
  return maskUrlUserinfo(secrets.length ? redact(text, secrets) : text);
}

type Write = (chunk: unknown, encoding?: unknown, callback?: unknown) => boolean;

/**
 * Every write to `stream` (process.stderr) from now on goes through maskText, so no code path
 * (an error, a warning, a verbose line, a library's output) can print a registered secret.
 * Controls are left alone here: the spinner draws with them. Returns the undo.
 */
export function maskWrites(stream: NodeJS.WritableStream): () => void {
  const target = stream as unknown as { write: Write };
  const original = target.write;
  target.write = function (this: unknown, chunk: unknown, encoding?: unknown, callback?: unknown): boolean {
    if (typeof chunk === 'string') return original.call(this, maskText(chunk), encoding, callback);
    if (chunk instanceof Uint8Array) {
      const text = Buffer.from(chunk.buffer, chunk.byteOffset, chunk.byteLength).toString('utf8');
      const masked = maskText(text);
      if (masked !== text) return original.call(this, masked, typeof encoding === 'function' ? encoding : 'utf8', callback);
    }
    return original.call(this, chunk, encoding, callback);
  };
  return () => {
    target.write = original;
  };
}
