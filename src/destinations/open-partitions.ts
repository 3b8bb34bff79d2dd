import { join } from 'node:path';
import type { PartitionStore } from './partition-store.js';

// Which store a partitioned `-o` names: an s3:// prefix (the SDK loads only then) or a local
// directory. Kept apart from partition-store.ts so the stores can import the interface without a cycle.

export interface StoreOptions {
  /** The environment (AWS_* for S3). */
  vars: Readonly<Record<string, string | undefined>>;
  home: string;
  onWarning?: (line: string) => void;
}

/** The store for `-o` with --partition-by: an s3:// prefix or a local directory. */
export async function openPartitionStore(target: string, options: StoreOptions): Promise<PartitionStore> {
  const { isS3Url } = await import('./s3/url.js');
  if (isS3Url(target)) {
    const { S3PartitionStore } = await import('./s3/partitions.js');
    return S3PartitionStore.open(target, options);
  }
  const { LocalPartitionStore } = await import('./local-partitions.js');
  return new LocalPartitionStore(target);
}

/** `-o` of one dataset inside `export all`'s directory or prefix. */
export function childTarget(root: string, name: string): string {
  return /^s3:/i.test(root) ? `${root.replace(/\/*$/, '')}/${name}` : join(root, name);
}
