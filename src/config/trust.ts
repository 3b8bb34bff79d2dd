import { promises as fsp, type Stats } from 'node:fs';
import path from 'node:path';
import type { ConfigFile } from './schema.js';

// Could someone other than you have written this config? The rule ssh applies to its own files
// (StrictModes): the file, and every directory above it, must be owned by you or root and not
// writable by group or others; a directory writable by others is fine with the sticky bit (/tmp),
// where nobody may rename or delete a file they do not own. Only files that can steer the key
// (base_url, a secret, an *_env indirection) or run code are held to it.

/** The keys of `config` that decide where a key goes or which secret is sent: `profiles.prod.base_url`. */
export function steeringKeys(config: ConfigFile, secretKeys: readonly string[]): string[] {
  const out: string[] = [];
  for (const [name, profile] of Object.entries(config.profiles)) {
    for (const key of Object.keys(profile)) {
      if (key === 'base_url' || key.endsWith('_env') || secretKeys.includes(key)) out.push(`profiles.${name}.${key}`);
    }
  }
  return out;
}

/**
 * Why `file` could have been written by another user, with the fix, or undefined when only you
 * (or root) can change it. `uid` is null where there are no uids (Windows): nothing to check.
 */
export async function whyUntrusted(file: string, uid: number | null = process.getuid?.() ?? null): Promise<string | undefined> {
  if (uid === null) return undefined;
  const mine = (st: Stats) => st.uid === uid || st.uid === 0;
  const link = await fsp.lstat(file);
  if (link.isSymbolicLink() && !mine(link)) return `the symlink ${file} is owned by uid ${link.uid}, not you (fix: remove it, or replace it with your own file)`;
  const real = await fsp.realpath(file);
  const it = real === file ? 'it' : real;
  const st = await fsp.stat(real);
  if (!mine(st)) return `${it} is owned by uid ${st.uid}, not you (fix: chown ${uid} ${real}, or use a file of your own)`;
  if ((st.mode & 0o022) !== 0) return `${it} is writable by ${writers(st.mode)} (fix: chmod go-w ${real})`;
  // Both the directory it was found in and the one it really lives in: either could swap it.
  const seen = new Set<string>();
  for (const start of [await fsp.realpath(path.dirname(file)), path.dirname(real)]) {
    for (let dir = start; !seen.has(dir); dir = path.dirname(dir)) {
      seen.add(dir);
      const d = await fsp.stat(dir);
      if (!mine(d)) return `its directory ${dir} is owned by uid ${d.uid}, not you (fix: move the file to a directory only you control)`;
      if ((d.mode & 0o022) !== 0 && (d.mode & 0o1000) === 0) return `its directory ${dir} is writable by ${writers(d.mode)} (fix: chmod go-w ${dir}, or move the file)`;
    }
  }
  return undefined;
}

function writers(mode: number): string {
  const g = (mode & 0o020) !== 0;
  const o = (mode & 0o002) !== 0;
  return g && o ? 'group and others' : g ? 'its group' : 'others';
}
