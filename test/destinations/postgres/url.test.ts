import { chmodSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { UsageError } from '../../../src/core/errors.js';
import { isPostgresUrl, parsePostgresUrl, withTable } from '../../../src/destinations/postgres/url.js';
import { parseTableName } from '../../../src/destinations/postgres/table-name.js';
import { matchPgpass, passwordFromFile } from '../../../src/destinations/postgres/pgpass.js';
import { resolvePassword } from '../../../src/destinations/postgres/password.js';

const parse = (url: string, vars: Record<string, string> = {}) => parsePostgresUrl(url, { vars, osUser: 'osuser' });
const usage = (fn: () => unknown) => {
  try {
    fn();
  } catch (err) {
    expect(err).toBeInstanceOf(UsageError);
    return (err as Error).message;
  }
  throw new Error('expected a UsageError');
};

describe('parsePostgresUrl', () => {
  it('reads every part of a full URL, percent-decoding user, password and database', () => {
    const t = parse('postgresql://an%40alyst:p%2Fw%3Ad@db.example.com:6543/my%20db?table=Analytics.Conversions&sslmode=verify-full&sslrootcert=/etc/ca.pem&connect_timeout=3&application_name=nightly');
    expect(t).toMatchObject({
      host: 'db.example.com',
      port: 6543,
      user: 'an@alyst',
      urlPassword: 'p/w:d',
      database: 'my db',
      table: { schema: 'analytics', name: 'conversions' },
      ssl: { mode: 'verify-full', rootCert: '/etc/ca.pem' },
      connectTimeoutSec: 3,
      applicationName: 'nightly',
    });
  });

  it('accepts postgres:// as libpq does', () => {
    expect(isPostgresUrl('postgres://u@h/d')).toBe(true);
    expect(isPostgresUrl('POSTGRESQL://u@h/d')).toBe(true);
    expect(isPostgresUrl('s3://bucket/x')).toBe(false);
    expect(isPostgresUrl('postgresql.csv')).toBe(false);
    expect(parse('postgres://u@h/d').host).toBe('h');
  });

  it('fills missing parts from PG* variables, then libpq defaults (prefer, 5432, user = OS user, database = user)', () => {
    expect(parse('postgresql:///', {})).toMatchObject({ host: 'localhost', port: 5432, user: 'osuser', database: 'osuser', ssl: { mode: 'prefer' }, connectTimeoutSec: 10 });
    const env = { PGHOST: 'envhost', PGPORT: '7000', PGUSER: 'envuser', PGDATABASE: 'envdb', PGSSLMODE: 'require', PGCONNECT_TIMEOUT: '4', PGPASSFILE: '/x/pgpass' };
    expect(parse('postgresql:///', env)).toMatchObject({ host: 'envhost', port: 7000, user: 'envuser', database: 'envdb', ssl: { mode: 'require' }, connectTimeoutSec: 4, passfile: '/x/pgpass' });
    // the URL wins over the environment
    expect(parse('postgresql://u@h:1/d?sslmode=disable', env)).toMatchObject({ host: 'h', port: 1, user: 'u', database: 'd', ssl: { mode: 'disable' } });
  });

  it('takes a Unix socket directory as a percent-encoded host or host=', () => {
    expect(parse('postgresql://u@%2Fvar%2Frun%2Fpostgresql/d').host).toBe('/var/run/postgresql');
    const t = parse('postgresql://u@/d?host=/tmp/pg&port=5433');
    expect(t).toMatchObject({ host: '/tmp/pg', port: 5433 });
    expect(t.label).toBe('postgresql://u@/d?host=/tmp/pg&port=5433');
  });

  it('masks the password in the label, whichever way it was given', () => {
    const a = parse('postgresql://u:hunter2secret@h/d?table=t');
    expect(a.label).toBe('postgresql://u:****@h:5432/d?table=t');
    const b = parse('postgresql://u@h/d?password=hunter2secret');
    expect(b.urlPassword).toBe('hunter2secret');
    expect(b.label).not.toContain('hunter2');
    expect(withTable(a, { name: 'conversions' }).label).toBe('postgresql://u:****@h:5432/d?table=conversions');
  });

  it('refuses bad input with one line, never echoing the password', () => {
    const msgs = [
      usage(() => parse('postgresql://u:hunter2/x@h/d')), // an unencoded / in the password
      usage(() => parse('postgresql://u:hunter2@h/d?sslmode=sometimes')),
      usage(() => parse('postgresql://u:hunter2@h/d?tabel=x')),
      usage(() => parse('postgresql://u:hunter2@h:0/d')),
      usage(() => parse('postgresql://u:hunter2@h1,h2/d')),
      usage(() => parse('postgresql://u:hunter2@h/d?table=a&table=b')),
      usage(() => parse('postgresql://u:hunter2@h/d?connect_timeout=soon')),
      usage(() => parse('postgresql://u@h/d?password=hunter2&sslmode=nope')),
      usage(() => parse('postgresql://u@h/d?host=/tmp/x&sslmode=require')),
    ];
    expect(msgs[1]).toMatch(/sslmode must be one of disable, allow, prefer, require, verify-ca, verify-full/);
    expect(msgs[2]).toMatch(/unknown parameter tabel=/);
    expect(msgs[4]).toMatch(/several hosts/);
    expect(msgs[8]).toMatch(/needs a TCP host/);
    for (const m of msgs) {
      expect(m).not.toContain('hunter2');
      expect(m).not.toContain('\n');
    }
  });
});

describe('table names', () => {
  it('folds plain identifiers to lower case, as unquoted SQL does', () => {
    expect(parseTableName('Conversions')).toEqual({ name: 'conversions' });
    expect(parseTableName('raw.mbuzz_conversions_2')).toEqual({ schema: 'raw', name: 'mbuzz_conversions_2' });
  });

  it('refuses names that would need quoting, a database prefix, or a load table name past 63 bytes', () => {
    for (const bad of ['', 'a b', 'x;drop table y', '"quoted"', '1abc', 'db.schema.table', 'a.', 'ünïcode', 'a-b']) {
      expect(() => parseTableName(bad), bad).toThrow(UsageError);
    }
    expect(() => parseTableName('a'.repeat(51))).not.toThrow();
    expect(() => parseTableName('a'.repeat(52))).toThrow(/at most 51 bytes/);
  });
});

describe('~/.pgpass', () => {
  const key = { host: 'db.example.com', port: 5432, database: 'analytics', user: 'loader' };

  it('returns the first matching line, with * wildcards and \\: \\\\ escapes', () => {
    const text = [
      '# comment',
      'other.host:5432:*:loader:wrong',
      'db.example.com:5432:analytics:someone:wrong',
      'db.example.com:*:*:loader:pa\\:ss\\\\word',
      '*:*:*:*:fallback',
    ].join('\n');
    expect(matchPgpass(text, key)).toBe('pa:ss\\word');
    expect(matchPgpass(text, { ...key, user: 'nobody' })).toBe('fallback');
    expect(matchPgpass('db.example.com:5432:analytics:loader\n', key)).toBeUndefined(); // four fields: not a line
  });

  it('matches the default socket directory as localhost, as libpq does', () => {
    expect(matchPgpass('localhost:5432:*:*:sock', { ...key, host: '/var/run/postgresql' })).toBe('sock');
    expect(matchPgpass('localhost:5432:*:*:sock', { ...key, host: '/tmp/elsewhere' })).toBeUndefined();
  });

  const dir = mkdtempSync(join(tmpdir(), 'mbuzz-pgpass-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('ignores a file others can read, with a warning, like libpq', async () => {
    const file = join(dir, 'pgpass-open');
    writeFileSync(file, '*:*:*:*:secret-from-file\n');
    chmodSync(file, 0o644);
    const open = await passwordFromFile(file, key);
    expect(open.password).toBeUndefined();
    expect(open.warning).toMatch(/group or world access.*0600/);
    chmodSync(file, 0o600);
    expect(await passwordFromFile(file, key)).toEqual({ password: 'secret-from-file' });
  });

  it('resolves the password: URL, then the profile, then PGPASSWORD, then the password file', async () => {
    const file = join(dir, 'pgpass-order');
    writeFileSync(file, '*:*:*:*:from-file\n', { mode: 0o600 });
    const t = parse(`postgresql://u@h/d?passfile=${file}`);
    expect(await resolvePassword(t, {})).toMatchObject({ password: 'from-file', source: 'passfile' });
    expect(await resolvePassword(t, { vars: { PGPASSWORD: 'from-env' } })).toMatchObject({ password: 'from-env', source: 'PGPASSWORD' });
    expect(await resolvePassword(t, { vars: { PGPASSWORD: 'from-env' }, profilePassword: 'from-profile' })).toMatchObject({ password: 'from-profile', source: 'profile' });
    const withUrl = parse(`postgresql://u:from-url@h/d?passfile=${file}`);
    expect(await resolvePassword(withUrl, { vars: { PGPASSWORD: 'from-env' }, profilePassword: 'from-profile' })).toMatchObject({ password: 'from-url', source: 'url' });
    expect(await resolvePassword(parse('postgresql://u@h/d'), { home: dir })).toMatchObject({ source: 'none' });
  });
});
