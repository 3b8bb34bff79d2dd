// Shared test plumbing: fixture rows, in-memory sinks, and independent readers (Python's csv
// module, DuckDB) so the writers are checked by code that is not theirs.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createRequire } from 'node:module';
import type { Column, Row } from '../../src/core/columns.js';
import { CONVERSIONS_COLUMNS, FUNNEL_COLUMNS, SPEND_COLUMNS } from '../../src/providers/mbuzz/schemas.js';
import type { Sink } from '../../src/writers/types.js';

export const ROOT = fileURLToPath(new URL('../../', import.meta.url));

export const DATASETS: { name: string; columns: readonly Column[] }[] = [
  { name: 'conversions', columns: CONVERSIONS_COLUMNS },
  { name: 'funnel', columns: FUNNEL_COLUMNS },
  { name: 'spend', columns: SPEND_COLUMNS },
];

export function fixtureLines(name: string): string[] {
  return readFileSync(join(ROOT, 'fixtures/rows', `${name}.ndjson`), 'utf8').split('\n').filter((l) => l.length > 0);
}

export function fixtureRows(name: string): Row[] {
  return fixtureLines(name).map((l) => JSON.parse(l) as Row);
}

export async function* rowsOf(rows: Iterable<Row>): AsyncGenerator<Row> {
  for (const row of rows) yield row;
}

/** Collects what a writer sends, keeping each chunk as it arrived. */
export class MemorySink implements Sink {
  chunks: (Uint8Array | string)[] = [];
  async write(chunk: Uint8Array | string): Promise<void> {
    this.chunks.push(chunk);
  }
  bytes(): Buffer {
    return Buffer.concat(this.chunks.map((c) => (typeof c === 'string' ? Buffer.from(c, 'utf8') : Buffer.from(c))));
  }
  text(): string {
    return this.bytes().toString('utf8');
  }
}

export function tempDir(prefix = 'mbuzz-writers-'): { dir: string; cleanup(): void } {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  return { dir, cleanup: () => rmSync(dir, { recursive: true, force: true }) };
}

/** Parses CSV text with Python's csv module (RFC 4180 dialect, strict). */
export function parseCsvWithPython(text: string): string[][] {
  const script = [
    'import csv, io, json, sys',
    'data = sys.stdin.buffer.read().decode("utf-8")',
    'rows = list(csv.reader(io.StringIO(data, newline=""), strict=True))',
    'sys.stdout.write(json.dumps(rows))',
  ].join('\n');
  const out = execFileSync('python3', ['-c', script], { input: Buffer.from(text, 'utf8'), maxBuffer: 256 * 1024 * 1024 });
  return JSON.parse(out.toString('utf8')) as string[][];
}

// DuckDB lives in .cache/test-tools (scripts/test-tools.mjs says why), installed by `npm test`.
type DuckDB = typeof import('@duckdb/node-api');
const loadDuckDB = (): DuckDB => createRequire(join(ROOT, '.cache/test-tools/package.json'))('@duckdb/node-api') as DuckDB;

/** Runs SQL in a throwaway in-memory DuckDB and returns rows as JSON-friendly objects. */
export async function duckdb(sql: string): Promise<Record<string, unknown>[]> {
  const instance = await loadDuckDB().DuckDBInstance.create(':memory:');
  const connection = await instance.connect();
  try {
    const reader = await connection.runAndReadAll(sql);
    return reader.getRowObjectsJson() as Record<string, unknown>[];
  } finally {
    connection.closeSync();
    instance.closeSync();
  }
}

export function sqlString(s: string): string {
  return `'${s.replaceAll("'", "''")}'`;
}
