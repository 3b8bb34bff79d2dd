import { createHash } from 'node:crypto';
import { createReadStream, promises as fsp } from 'node:fs';
import { relative } from 'node:path';
import { VERSION } from '../core/version.js';
import { writeFileAtomic } from '../core/safe-files.js';
import type { WindowInfo } from '../providers/types.js';

// The sidecar a warehouse loader can trust: what was asked (secrets masked), which windows were
// covered with their rows and the API's totals, which are still open (today), and every file
// with its size and sha256.

export interface ManifestWindow extends WindowInfo {
  rows: number;
}

export interface ManifestDataset {
  dataset: string;
  from: string;
  to: string;
  format: string;
  rows: number;
  /** Sum of the API's total_count over the windows. */
  apiTotal: number;
  windows: ManifestWindow[];
  /** Days that may still change (today or later, UTC). */
  openDays: string[];
  files: { path: string; bytes: number; sha256: string; rows?: number; date?: string }[];
}

export interface Manifest {
  tool: string;
  version: string;
  args: string[];
  startedAt: string;
  finishedAt: string;
  datasets: ManifestDataset[];
}

export async function fileEntry(root: string, path: string, extra: { rows?: number; date?: string } = {}) {
  const st = await fsp.stat(path);
  const hash = createHash('sha256');
  for await (const chunk of createReadStream(path)) hash.update(chunk as Buffer);
  return { path: relative(root, path), bytes: st.size, sha256: hash.digest('hex'), ...extra };
}

/** Written last, atomically (exclusive temp, fsync, rename): a full disk names the file and leaves no temp file. */
export async function writeManifest(path: string, manifest: Omit<Manifest, 'tool' | 'version'>): Promise<void> {
  const body: Manifest = { tool: 'mbuzz', version: VERSION, ...manifest };
  await writeFileAtomic(path, `${JSON.stringify(body, null, 2)}\n`);
}
