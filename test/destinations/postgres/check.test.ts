import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { UsageError } from '../../../src/core/errors.js';
import type { Column } from '../../../src/core/columns.js';
import { checkPostgresTarget, parsePostgresUrl, type PgTableSpec } from '../../../src/destinations/postgres/index.js';
import { CONVERSIONS_COLUMNS } from '../../../src/providers/mbuzz/schemas.js';
import { DATASETS } from '../../../src/providers/registry.js';
import { createTable, tableName } from '../../../src/schema/ddl.js';
import { pgSkipReason, PG_PASSWORD, startPostgres, type PgServer } from './pg-server.js';

const SPEC: PgTableSpec = { dataset: 'conversions', columns: CONVERSIONS_COLUMNS, dateColumn: 'date' };

/** conversions as PostgreSQL should hold it, written out by hand from the dataset's documentation. */
const EXPECTED_CONVERSIONS: [string, string, boolean][] = [
  ['date', 'date', true],
  ['type', 'text', true],
  ['name', 'text', true],
  ['funnel', 'text', false],
  ['attribution_model', 'text', true],
  ['algorithm', 'text', false],
  ['channel', 'text', true],
  ['credit', 'double precision', true],
  ['revenue', 'double precision', false],
  ['revenue_credit', 'double precision', false],
  ['currency', 'text', false],
  ['utm_source', 'text', false],
  ['utm_medium', 'text', false],
  ['utm_campaign', 'text', false],
  ['is_acquisition', 'boolean', true],
  ['properties', 'jsonb', true],
  ['journey_position', 'text', false],
  ['touchpoint_index', 'integer', false],
  ['journey_length', 'integer', false],
  ['days_to_conversion', 'integer', false],
];

async function usageMessage(p: Promise<unknown>): Promise<string> {
  const err = await p.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(UsageError);
  const message = (err as Error).message;
  expect(message).not.toContain('\n');
  return message;
}

describe.skipIf(pgSkipReason !== undefined)(`PostgreSQL pre-flight check${pgSkipReason ? ` (skipped: ${pgSkipReason})` : ''}`, () => {
  let pg: PgServer;
  const target = (params: Record<string, string>, options?: Parameters<PgServer['url']>[1]) => parsePostgresUrl(pg.url(params, options), { vars: {}, osUser: 'nobody' });
  const columnsOf = (table: string) =>
    pg.query<{ name: string; type: string; not_null: boolean }>(
      'SELECT attname AS name, format_type(atttypid, atttypmod) AS type, attnotnull AS not_null FROM pg_attribute WHERE attrelid = to_regclass($1) AND attnum > 0 AND NOT attisdropped ORDER BY attnum',
      [table],
    );
  const home = mkdtempSync(join(tmpdir(), 'mbuzz-pg-home-'));

  beforeAll(async () => {
    pg = await startPostgres();
  });
  afterAll(async () => {
    await pg?.stop();
    rmSync(home, { recursive: true, force: true });
  });

  it('creates a missing table with the dataset columns, an index on the date, and the load table', async () => {
    const result = await checkPostgresTarget(target({ table: 'fresh_conversions' }), SPEC, { home });
    expect(result).toMatchObject({ schema: 'public', table: 'fresh_conversions', created: true });
    const cols = await columnsOf('public.fresh_conversions');
    expect(cols.map((c) => [c.name, c.type, c.not_null])).toEqual(EXPECTED_CONVERSIONS);
    const indexes = await pg.query<{ def: string }>("SELECT indexdef AS def FROM pg_indexes WHERE tablename = 'fresh_conversions'");
    expect(indexes.map((i) => i.def)).toEqual([expect.stringMatching(/USING btree \(date\)$/)]);
    const loads = await columnsOf('public.fresh_conversions_mbuzz_loads');
    expect(loads.map((c) => c.name)).toEqual(['load_id', 'dataset', 'days', 'filters', 'rows_loaded', 'rows_replaced', 'started_at', 'finished_at', 'mbuzz_version']);
    // a second check finds it and creates nothing
    expect((await checkPostgresTarget(target({ table: 'fresh_conversions' }), SPEC, { home })).created).toBe(false);
  });

  it('accepts a table made from `mbuzz schema --as sql --dialect postgres` for every dataset with a date column', async () => {
    for (const d of DATASETS.filter((x) => x.dateColumn !== undefined)) {
      const name = `made_${tableName(d.name)}`;
      await pg.query(createTable(name, d.columns, 'postgres'));
      const r = await checkPostgresTarget(target({ table: name }), { dataset: d.name, columns: d.columns, dateColumn: d.dateColumn! }, { home });
      expect(r.created, d.name).toBe(false);
    }
  });

  it('refuses a table whose columns differ, naming each difference', async () => {
    await pg.query(createTable('drifted', CONVERSIONS_COLUMNS, 'postgres'));
    await pg.query('ALTER TABLE drifted DROP COLUMN utm_campaign');
    await pg.query('ALTER TABLE drifted ADD COLUMN loaded_by text');
    await pg.query('ALTER TABLE drifted ALTER COLUMN credit TYPE numeric');
    await pg.query('ALTER TABLE drifted ALTER COLUMN funnel SET NOT NULL');
    const message = await usageMessage(checkPostgresTarget(target({ table: 'drifted' }), SPEC, { home }));
    expect(message).toContain('table public.drifted does not match conversions');
    expect(message).toContain('missing column utm_campaign (text)');
    expect(message).toContain('column credit is numeric, mbuzz writes double precision');
    expect(message).toContain('column funnel is NOT NULL, but conversions can have nulls there');
    expect(message).toContain('extra column loaded_by');
  });

  it('refuses a view, a missing schema, and a date column left out by --fields', async () => {
    await pg.query('CREATE VIEW a_view AS SELECT 1 AS x');
    expect(await usageMessage(checkPostgresTarget(target({ table: 'a_view' }), SPEC, { home }))).toMatch(/public\.a_view is a view/);
    expect(await usageMessage(checkPostgresTarget(target({ table: 'nowhere.t' }), SPEC, { home }))).toMatch(/schema nowhere does not exist/);
    const noDate: Column[] = CONVERSIONS_COLUMNS.filter((c) => c.name !== 'date');
    expect(await usageMessage(checkPostgresTarget(target({ table: 't' }), { ...SPEC, columns: noDate }, { home }))).toMatch(/keep it in --fields/);
  });

  it('names the privilege a user lacks', async () => {
    await pg.query(createTable('guarded', CONVERSIONS_COLUMNS, 'postgres'));
    await checkPostgresTarget(target({ table: 'guarded' }), SPEC, { home }); // the owner makes the load table
    await pg.query("CREATE ROLE reader LOGIN PASSWORD 'reader-pw'");
    await pg.query('GRANT USAGE, CREATE ON SCHEMA public TO reader');
    await pg.query('GRANT SELECT, INSERT ON guarded TO reader');
    const t = parsePostgresUrl(`postgresql://reader:reader-pw@127.0.0.1:${pg.port}/postgres?table=guarded`, { vars: {} });
    expect(await usageMessage(checkPostgresTarget(t, SPEC, { home }))).toMatch(/reader lacks DELETE on public\.guarded, SELECT on public\.guarded_mbuzz_loads, INSERT on public\.guarded_mbuzz_loads/);
  });

  describe('connecting', () => {
    it('a wrong password, port, host or database is one line, exit 2, password never shown', async () => {
      const wrongPw = 'Wr0ng-Passw0rd-Secret';
      const cases: [ReturnType<typeof target>, RegExp][] = [
        [target({ table: 't' }, { password: wrongPw }), /password authentication failed for user "mbuzz_test" \(password from the URL\)/],
        [parsePostgresUrl(`postgresql://mbuzz_test:${wrongPw}@127.0.0.1:1/postgres?table=t`, { vars: {} }), /connection refused at 127\.0\.0\.1:1/],
        [parsePostgresUrl(`postgresql://mbuzz_test:${wrongPw}@db.mbuzz-test.invalid/postgres?table=t`, { vars: {} }), /host db\.mbuzz-test\.invalid not found/],
        [target({ table: 't' }, { database: 'nope' }), /database "nope" does not exist/],
      ];
      for (const [t, pattern] of cases) {
        const message = await usageMessage(checkPostgresTarget(t, SPEC, { home }));
        expect(message).toMatch(pattern);
        expect(message).toMatch(/^cannot use PostgreSQL postgresql:\/\/mbuzz_test:\*\*\*\*@/);
        for (const secret of [wrongPw, PG_PASSWORD, encodeURIComponent(PG_PASSWORD)]) expect(message).not.toContain(secret);
      }
    });

    it('says where to put the password when none was given', async () => {
      const message = await usageMessage(checkPostgresTarget(target({ table: 't' }, { password: null }), SPEC, { home }));
      expect(message).toMatch(/the server asks for a password and none was given: put it in the URL, PGPASSWORD, ~\/\.pgpass or the profile's postgres_password_env/);
    });

    it('takes the password from PGPASSWORD, the profile, or a 0600 password file', async () => {
      const bare = () => target({ table: 'pw_paths' }, { password: null });
      await expect(checkPostgresTarget(bare(), SPEC, { home, vars: { PGPASSWORD: PG_PASSWORD } })).resolves.toMatchObject({ table: 'pw_paths' });
      await expect(checkPostgresTarget(bare(), SPEC, { home, profilePassword: PG_PASSWORD })).resolves.toMatchObject({ table: 'pw_paths' });
      const escaped = PG_PASSWORD.replaceAll('\\', '\\\\').replaceAll(':', '\\:');
      writeFileSync(join(home, '.pgpass'), `127.0.0.1:${pg.port}:postgres:mbuzz_test:${escaped}\n`, { mode: 0o600 });
      await expect(checkPostgresTarget(bare(), SPEC, { home })).resolves.toMatchObject({ table: 'pw_paths', warnings: [] });
      rmSync(join(home, '.pgpass'));
    });

    it('connects through the Unix socket directory', async () => {
      const t = parsePostgresUrl(`postgresql://mbuzz_test:${encodeURIComponent(PG_PASSWORD)}@/postgres?host=${pg.socketDir}&port=${pg.port}&table=via_socket`, { vars: {} });
      await expect(checkPostgresTarget(t, SPEC, { home })).resolves.toMatchObject({ table: 'via_socket', created: true });
    });

    it('sslmode: require fails clearly on a server without TLS; prefer falls back to plain; verify-full needs a root certificate', async () => {
      const required = await usageMessage(checkPostgresTarget(target({ table: 't', sslmode: 'require' }), SPEC, { home }));
      expect(required).toMatch(/the server does not accept TLS connections \(sslmode=require\)$/);
      await expect(checkPostgresTarget(target({ table: 'over_prefer', sslmode: 'prefer' }), SPEC, { home })).resolves.toMatchObject({ created: true });
      const verify = await usageMessage(checkPostgresTarget(target({ table: 't', sslmode: 'verify-full' }), SPEC, { home }));
      expect(verify).toMatch(/sslmode=verify-full needs the server's root certificate: give sslrootcert=FILE/);
    });
  });
});
