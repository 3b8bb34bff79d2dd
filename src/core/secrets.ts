// Secrets never leave the process in clear: logs, errors, manifests and `mbuzz profiles` show
// them as `sk_live_…9f2c`.

export function maskSecret(secret: string): string {
  const prefix = /^([a-z]+_(?:live|test)_)/i.exec(secret)?.[1] ?? '';
  const tail = secret.length - prefix.length >= 12 ? secret.slice(-4) : '';
  return `${prefix}…${tail}`;
}

/** Replace every occurrence of each secret (raw or URL-encoded) in `text` by its mask. */
export function redact(text: string, secrets: readonly string[]): string {
  let out = text;
  for (const s of secrets) {
    if (s.length < 4) continue;
    for (const form of new Set([s, encodeURIComponent(s)])) out = out.split(form).join(maskSecret(s));
  }
  return out;
}
