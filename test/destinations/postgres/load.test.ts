import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { IntegrityError, ServerError } from '../../../src/core/errors.js';
import type { Row } from '../../../src/core/columns.js';
import { checkPostgresTarget, openPostgresLoad, parsePostgresUrl, type LoadScope, type PgTableSpec, type PostgresLoad } from '../../../src/destinations/postgres/index.js';
import { copyLine } from '../../../src/destinations/postgres/encode.js';
import { CONVERSIONS_COLUMNS } from '../../../src/providers/mbuzz/schemas.js';
import { from as copyFrom } from 'pg-copy-streams';
import { fixtureRows, rowsOf } from '../../writers/helpers.js';
import { pgSkipReason, PG_PASSWORD, startPostgres, type PgServer } from './pg-server.js';

// Loads driven through the module against a real server; what is in the table afterwards is read
// back with plain SQL on a separate connection.

const SPEC: PgTableSpec = { dataset: 'conversions', columns: CONVERSIONS_COLUMNS, dateColumn: 'date' };
const TEMPLATE = fixtureRows('conversions')[0]!;

/** n rows of `day` and `channel`, each tagged `tag-i` in utm_campaign so a test can tell loads apart. */
function rows(day: string, channel: string, n: number, tag: string): Row[] {
  return Array.from({ length: n }, (_, i) => ({ ...TEMPLATE, date: day, channel, utm_campaign: `${tag}-${i}` }));
}

/** Rows as "day channel tag", sorted: equal lists = the same rows, each once. */
const summary = (list: { date: string; channel: string; utm_campaign: string }[]) => list.map((r) => `${r.date} ${r.channel} ${r.utm_campaign}`).sort();

describe.skipIf(pgSkipReason !== undefined)(`PostgreSQL loads${pgSkipReason ? ` (skipped: ${pgSkipReason})` : ''}`, () => {
  let pg: PgServer;
  beforeAll(async () => {
    pg = await startPostgres();
  });
  afterAll(async () => pg?.stop());

  const target = (table: string) => parsePostgresUrl(pg.url({ table }), { vars: {} });
  const open = (table: string, scope: LoadScope, extra: { note?: (m: string) => void } = {}) => openPostgresLoad(target(table), { spec: SPEC, scope, version: '9.9.9-test', vars: {}, ...extra });
  const contents = async (table: string) => summary(await pg.query(`SELECT date::text AS date, channel, utm_campaign FROM ${table}`));

  /** check + load + commit, as the pipeline will. */
  async function load(table: string, scope: LoadScope, list: Row[]): Promise<PostgresLoad> {
    await checkPostgresTarget(target(table), SPEC, { vars: {} });
    const out = await open(table, scope);
    try {
      await out.writer(rowsOf(list), out.sink, { columns: CONVERSIONS_COLUMNS });
      await out.commit();
    } catch (err) {
      await out.abort();
      throw err;
    }
    return out;
  }

  it('loads every value as the API sent it (read back independently as JSON)', async () => {
    const fixtures = fixtureRows('conversions');
    const days = [...new Set(fixtures.map((r) => r.date as string))];
    await load('fidelity', { days }, fixtures);
    const back = await pg.query<{ row: Row }>('SELECT to_jsonb(f) AS row FROM fidelity f');
    const key = (r: Row) => `${r.date} ${r.name} ${r.channel} ${r.credit}`;
    const sort = (l: Row[]) => [...l].sort((a, b) => key(a).localeCompare(key(b)));
    expect(sort(back.map((b) => b.row))).toEqual(sort(fixtures.map((r) => Object.fromEntries(CONVERSIONS_COLUMNS.map((c) => [c.name, r[c.name] ?? null])))));
  });

  it('keeps null and the empty string apart, and loads a lone \\. as data', async () => {
    const day = '2026-04-10';
    const list = [
      { ...TEMPLATE, date: day, channel: 'email', utm_campaign: '', utm_source: null, name: '\\.' },
      { ...TEMPLATE, date: day, channel: 'email', utm_campaign: null, utm_source: '', name: '"' },
    ];
    await load('nulls', { days: [day] }, list);
    const back = await pg.query<{ name: string; campaign_null: boolean; campaign: string | null; source_null: boolean }>(
      'SELECT name, utm_campaign IS NULL AS campaign_null, utm_campaign AS campaign, utm_source IS NULL AS source_null FROM nulls ORDER BY name DESC',
    );
    expect(back).toEqual([
      { name: '\\.', campaign_null: false, campaign: '', source_null: true },
      { name: '"', campaign_null: true, campaign: null, source_null: false },
    ]);
  });

  it('the COPY encoder quotes a lone \\. so a one-column line is not read as end-of-data', async () => {
    const client = await pg.client();
    try {
      await client.query('CREATE TABLE one_column (x text)');
      const line = copyLine([{ name: 'x', type: 'string', nullable: true }]);
      const stream = client.query(copyFrom('COPY one_column (x) FROM STDIN WITH (FORMAT csv)'));
      await new Promise<void>((res, rej) => {
        stream.on('finish', () => res());
        stream.on('error', rej);
        stream.end(['\\.', 'after', null, ''].map((x) => line({ x })).join(''));
      });
      const back = await client.query<{ x: string | null }>('SELECT x FROM one_column');
      expect(back.rows.map((r) => r.x)).toEqual(['\\.', 'after', null, '']);
    } finally {
      await client.end();
    }
  });

  it('a re-run replaces the days instead of duplicating them, and records each load', async () => {
    const days = ['2026-04-01', '2026-04-02'];
    const list = [...rows(days[0]!, 'email', 3, 'a'), ...rows(days[1]!, 'direct', 2, 'a')];
    const first = await load('rerun', { days }, list);
    const second = await load('rerun', { days }, list);
    expect(await contents('rerun')).toEqual(summary(list));
    expect(second.replaced).toBe(5);
    const loads = await pg.query<{ load_id: string; dataset: string; days: string; filters: unknown; rows_loaded: string; rows_replaced: string; mbuzz_version: string }>(
      'SELECT load_id::text, dataset, days::text, filters, rows_loaded::text, rows_replaced::text, mbuzz_version FROM rerun_mbuzz_loads ORDER BY finished_at',
    );
    expect(loads).toEqual([
      { load_id: first.loadId, dataset: 'conversions', days: '{2026-04-01,2026-04-02}', filters: {}, rows_loaded: '5', rows_replaced: '0', mbuzz_version: '9.9.9-test' },
      { load_id: second.loadId, dataset: 'conversions', days: '{2026-04-01,2026-04-02}', filters: {}, rows_loaded: '5', rows_replaced: '5', mbuzz_version: '9.9.9-test' },
    ]);
  });

  it('a later load of fewer days (a --lookback) replaces only those days; a day now empty is emptied', async () => {
    const week = ['2026-04-01', '2026-04-02', '2026-04-03', '2026-04-04'];
    await load('lookback', { days: week }, week.flatMap((d) => rows(d, 'email', 2, 'old')));
    // the last two days again: the 3rd has new rows, the 4th has none any more
    await load('lookback', { days: ['2026-04-03', '2026-04-04'] }, rows('2026-04-03', 'email', 3, 'new'));
    expect(await contents('lookback')).toEqual(summary([...rows('2026-04-01', 'email', 2, 'old'), ...rows('2026-04-02', 'email', 2, 'old'), ...rows('2026-04-03', 'email', 3, 'new')]));
  });

  it('a filtered load replaces only the rows the filter covers', async () => {
    const day = '2026-04-05';
    await load('filtered', { days: [day] }, [...rows(day, 'email', 2, 'all'), ...rows(day, 'direct', 2, 'all'), ...rows(day, 'paid_search', 1, 'all')]);
    await load('filtered', { days: [day], match: { channel: ['email', 'paid_search'] } }, [...rows(day, 'email', 3, 'only'), ...rows(day, 'paid_search', 1, 'only')]);
    expect(await contents('filtered')).toEqual(summary([...rows(day, 'direct', 2, 'all'), ...rows(day, 'email', 3, 'only'), ...rows(day, 'paid_search', 1, 'only')]));
    const [rec] = await pg.query<{ filters: unknown }>('SELECT filters FROM filtered_mbuzz_loads ORDER BY finished_at DESC LIMIT 1');
    expect(rec!.filters).toEqual({ channel: ['email', 'paid_search'] });
  });

  describe('a failed load leaves the previous content of its days', () => {
    const day = '2026-04-06';
    const before = rows(day, 'email', 4, 'before');
    beforeAll(async () => {
      await load('kept', { days: [day] }, before);
    });
    const unchanged = async () => {
      expect(await contents('kept')).toEqual(summary(before));
      expect(await pg.query('SELECT 1 FROM kept_mbuzz_loads')).toHaveLength(1);
    };

    it('a row PostgreSQL refuses, as the last row of the load (the error comes after COPY ends)', async () => {
      const bad = { ...rows(day, 'email', 1, 'bad')[0]!, credit: 'not-a-number' };
      const err = await load('kept', { days: [day] }, [...rows(day, 'email', 2, 'new'), bad]).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(IntegrityError);
      expect((err as Error).message).toMatch(/a row was refused: invalid input syntax for type double precision: "not-a-number".*column credit.*rolled back/);
      await unchanged();
    });

    it('a row refused in the middle of a long COPY (the error stops the writer)', async () => {
      const many = rows(day, 'email', 60_000, 'new');
      many[100] = { ...many[100]!, properties: undefined, is_acquisition: null }; // NOT NULL columns
      const err = await load('kept', { days: [day] }, many).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(IntegrityError);
      expect((err as Error).message).toMatch(/null value in column/);
      await unchanged();
    });

    it('rows outside the days or filter being replaced (they would be duplicated by the next load)', async () => {
      const stray = await load('kept', { days: [day] }, [...rows(day, 'email', 1, 'new'), ...rows('2026-04-07', 'email', 1, 'stray')]).catch((e: unknown) => e);
      expect(stray).toBeInstanceOf(IntegrityError);
      expect((stray as Error).message).toMatch(/2 rows were written for 2026-04-06 but 2 were copied and 1 are there now/);
      const offFilter = await load('kept', { days: [day], match: { channel: ['email'] } }, rows(day, 'direct', 1, 'new')).catch((e: unknown) => e);
      expect(offFilter).toBeInstanceOf(IntegrityError);
      await unchanged();
    });

    it('the connection killed mid-COPY', async () => {
      const out = await open('kept', { days: [day] });
      await out.sink.write(`${day},conversion,x,,m,,email,1,,,,,,,true,{},,,,\n`);
      await pg.query('SELECT pg_terminate_backend($1)', [out.pid]);
      const err = await (async () => {
        for (let i = 0; i < 1000; i++) await out.sink.write(`${day},conversion,x,,m,,email,1,,,,,,,true,{},,,,\n`.repeat(100));
        await out.commit();
      })().catch((e: unknown) => e);
      await out.abort();
      expect(err).toBeInstanceOf(ServerError);
      expect((err as Error).message).toMatch(/the connection was lost.*rolled back/);
      await unchanged();
    });

    it('abort (Ctrl-C, a failed API request) after rows were sent', async () => {
      const out = await open('kept', { days: [day] });
      await out.writer(rowsOf(rows(day, 'email', 10, 'new')), out.sink, { columns: CONVERSIONS_COLUMNS });
      // until commit, another session still sees the old rows
      expect(await contents('kept')).toEqual(summary(before));
      await out.abort();
      await out.abort(); // a second abort is a no-op
      await unchanged();
    });
  });

  it('two loads of the same day at once queue on the day lock instead of both inserting', async () => {
    const day = '2026-04-08';
    await checkPostgresTarget(target('racing'), SPEC, { vars: {} });
    const a = await open('racing', { days: [day] });
    await a.writer(rowsOf(rows(day, 'email', 3, 'a')), a.sink, { columns: CONVERSIONS_COLUMNS });
    const notes: string[] = [];
    const opening = open('racing', { days: [day] }, { note: (m) => notes.push(m) });
    await new Promise((r) => setTimeout(r, 1500));
    await a.commit();
    const b = await opening;
    await b.writer(rowsOf(rows(day, 'email', 2, 'b')), b.sink, { columns: CONVERSIONS_COLUMNS });
    await b.commit();
    expect(await contents('racing')).toEqual(summary(rows(day, 'email', 2, 'b')));
    expect(b.replaced).toBe(3);
    expect(notes).toEqual(['waiting for another load of 2026-04-08 into public.racing to finish']);
  });

  it('never shows the password in a load error', async () => {
    const day = '2026-04-09';
    const err = await load('secretive', { days: [day] }, [{ ...rows(day, 'email', 1, 'x')[0]!, credit: PG_PASSWORD }]).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(IntegrityError);
    expect((err as Error).message).toContain('postgresql://mbuzz_test:****@127.0.0.1');
    expect((err as Error).message).not.toContain(PG_PASSWORD);
  });
});
