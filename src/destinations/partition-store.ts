import type { Output } from '../writers/types.js';
import type { DayRange } from './claims.js';

// Where a directory of date partitions lives: a local directory (local-partitions.ts) or an S3
// prefix (s3/partition-store.ts). The partition logic (partitioned.ts: stage every day, publish
// only once the checks pass; partition-records.ts: who wrote each; the manifest) is written once
// against this interface, so everything a local directory guarantees holds on S3 by the same
// code. What differs is how a file is staged (a temp file beside its target, or a multipart
// upload not yet completed), how it is published (rename, CompleteMultipartUpload), and how two
// runs are kept apart (a lock file, or claims written and then listed).

/** A file written but not published: `seal` when every byte is handed over, then `commit` or `abort`. */
export interface StagedOutput extends Output {
  /** Everything written is durable (fsynced; uploaded as parts) yet invisible; `commit` only publishes. */
  seal(): Promise<void>;
}

/** One date=YYYY-MM-DD partition as the store holds it. */
export interface StoredPartition {
  date: string;
  /** Part files (`part-0000.<ext>`) present, with their sizes. */
  files: { name: string; bytes: number }[];
  /** The text of its record (`_mbuzz.json`), when there is one. */
  record?: string;
}

export interface PartitionStore {
  /** The directory as messages name it: the path given, or s3://bucket/prefix/. */
  readonly where: string;
  /** Pre-flight, before any request: a local directory is created if its parent exists; S3 is probed for write access. */
  check(): Promise<void>;
  /** The directory `name` inside this one (`export all`: one per dataset); shares this store's connection. */
  child(name: string): PartitionStore;
  /** Names of the directories inside this one that are not partitions (`export all`'s datasets). */
  children(): Promise<string[]>;

  /** A day's part file, staged: it replaces the partition's file of that name at commit. */
  openPart(date: string, name: string): Promise<StagedOutput>;
  /** A day's record, written and sealed; published at commit. */
  stageRecord(date: string, text: string): Promise<StagedOutput>;
  /** Every partition, oldest first, with its part files and its record's text. */
  listPartitions(): Promise<StoredPartition[]>;
  /** Removes a day's part files other than `keep` (one written before in another format). */
  removeOtherParts(date: string, keep: string): Promise<void>;
  /** Removes a day's partition whole; false when there was none. */
  removePartition(date: string): Promise<boolean>;
  /** sha256 of a file, by its path relative to this directory (a part no record describes). */
  sha256(path: string): Promise<string>;

  /**
   * Claims `days` for this run until it ends (claims.ts): a live claim of another run on any of
   * them is a BusyError (exit 75) naming it; a dead one's is taken over with a `note`.
   */
  claim(days: DayRange, what: string, note: (line: string) => void): Promise<void>;
  /**
   * Before a commit publishes anything: the claims are still this run's (a BusyError if not). A
   * lock file cannot be lost while its run lives; a lease on S3 can, if its renewals fail.
   */
  confirmClaims?(): Promise<void>;
  /**
   * Writes `name` (the manifest) from `build`, such that when concurrent runs each publish, the
   * last one written describes every partition committed before it: `build` returns the text and
   * a `state` (what it describes, without timestamps) to compare.
   */
  publish(name: string, build: () => Promise<{ text: string; state: string }>, note: (line: string) => void): Promise<void>;
  /** Releases the connection (S3); a child's is its parent's. */
  close(): void;
}
