#!/usr/bin/env node
// DuckDB is the tests' and the benchmark's independent reader of Parquet and CSV, but it is not a
// dependency of mbuzz: its package lists native bindings for every platform, and a registry that
// serves only this platform's (as this project's does) leaves package-lock.json unable to satisfy
// `npm ci`. So it is installed on the side, pinned, into .cache/test-tools (git-ignored), by
// `npm test` (pretest) and `npm run bench` when it is missing.
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const DUCKDB_VERSION = '1.5.6-r.1';
const root = join(dirname(fileURLToPath(import.meta.url)), '..');
export const TOOLS_DIR = join(root, '.cache', 'test-tools');

export function ensureTestTools() {
  if (existsSync(join(TOOLS_DIR, 'node_modules', '@duckdb', 'node-api', 'package.json'))) return;
  mkdirSync(TOOLS_DIR, { recursive: true });
  writeFileSync(join(TOOLS_DIR, 'package.json'), JSON.stringify({ name: 'mbuzz-test-tools', private: true }, null, 2));
  process.stderr.write(`installing @duckdb/node-api@${DUCKDB_VERSION} into .cache/test-tools (test reader only)\n`);
  execFileSync('npm', ['install', '--no-audit', '--no-fund', '--prefix', TOOLS_DIR, `@duckdb/node-api@${DUCKDB_VERSION}`], { stdio: ['ignore', 'ignore', 'inherit'] });
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) ensureTestTools();
