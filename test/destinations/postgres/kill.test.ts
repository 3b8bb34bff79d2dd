import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { checkPostgresTarget, openPostgresLoad, parsePostgresUrl, type PgTableSpec } from '../../../src/destinations/postgres/index.js';
import { CONVERSIONS_COLUMNS } from '../../../src/providers/mbuzz/schemas.js';
import { fixtureRows, ROOT, rowsOf } from '../../writers/helpers.js';
import { pgSkipReason, startPostgres, type PgServer } from './pg-server.js';

// kill -9 of a process in the middle of a COPY: nothing commits, the server rolls the transaction
// back when the connection drops, and the day keeps its old rows. The loading process is a real
// separate node process (test/destinations/postgres/load-child.mjs, on the built module).

const SPEC: PgTableSpec = { dataset: 'conversions', columns: CONVERSIONS_COLUMNS, dateColumn: 'date' };
const BUILT = existsSync(join(ROOT, 'dist/destinations/postgres/index.js'));
const skip = pgSkipReason ?? (BUILT ? undefined : 'dist/ is not built (npm run build)');

describe.skipIf(skip !== undefined)(`kill -9 during a PostgreSQL load${skip ? ` (skipped: ${skip})` : ''}`, () => {
  let pg: PgServer;
  beforeAll(async () => {
    pg = await startPostgres();
  });
  afterAll(async () => pg?.stop());

  it('leaves the day with its old rows, and the next load of that day goes through', async () => {
    const day = '2026-04-01';
    const target = parsePostgresUrl(pg.url({ table: 'killed' }), { vars: {} });
    const before = fixtureRows('conversions').map((r, i) => ({ ...r, date: day, utm_campaign: `before-${i}` }));
    await checkPostgresTarget(target, SPEC, { vars: {} });
    const first = await openPostgresLoad(target, { spec: SPEC, scope: { days: [day] }, version: 't', vars: {} });
    await first.writer(rowsOf(before), first.sink, { columns: CONVERSIONS_COLUMNS });
    await first.commit();

    const child = spawn(process.execPath, [join(__dirname, 'load-child.mjs'), pg.url({ table: 'killed' }), day], { stdio: ['ignore', 'pipe', 'pipe'] });
    let stderr = '';
    child.stderr!.on('data', (d) => (stderr += d));
    const exited = new Promise<NodeJS.Signals | null>((res) => child.once('exit', (_code, signal) => res(signal)));
    const backend = await new Promise<number>((res, rej) => {
      createInterface({ input: child.stdout! }).once('line', (l) => res(Number(/^copying (\d+)$/.exec(l)?.[1])));
      child.once('exit', (code) => rej(new Error(`child exited ${code}: ${stderr}`)));
    });
    const [activity] = await pg.query<{ state: string; query: string }>('SELECT state, query FROM pg_stat_activity WHERE pid = $1', [backend]);
    expect(activity).toMatchObject({ state: 'active', query: expect.stringMatching(/^COPY "public"\."killed"/) });

    child.kill('SIGKILL');
    expect(await exited).toBe('SIGKILL');
    for (let i = 0; i < 100 && (await pg.query('SELECT 1 FROM pg_stat_activity WHERE pid = $1', [backend])).length > 0; i++) await new Promise((r) => setTimeout(r, 100));

    const kept = await pg.query<{ c: string }>('SELECT utm_campaign AS c FROM killed ORDER BY 1');
    expect(kept.map((r) => r.c)).toEqual(before.map((r) => r.utm_campaign).sort());
    expect(await pg.query('SELECT 1 FROM killed_mbuzz_loads')).toHaveLength(1);

    // nothing is left locked: the same day loads again
    const again = await openPostgresLoad(target, { spec: SPEC, scope: { days: [day] }, version: 't', vars: {} });
    await again.writer(rowsOf(before.slice(0, 1)), again.sink, { columns: CONVERSIONS_COLUMNS });
    await again.commit();
    expect(await pg.query('SELECT 1 FROM killed')).toHaveLength(1);
  });
});
