import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { findDataset } from '../../src/providers/registry.js';
import { SANDBOX_API_KEY, SANDBOX_API_SECRET, SANDBOX_BROKEN_PROJECT_ID, SANDBOX_PROJECT_ID, SANDBOX_SA_SECRET, SANDBOX_SA_USERNAME } from '../../src/sandbox/mixpanel/keys.js';
import { truthEvents, type MixpanelTruthQuery } from '../../src/sandbox/mixpanel/truth.js';
import type { Row } from '../../src/core/columns.js';
import { duckdb, parseCsvWithPython, sqlString } from '../writers/helpers.js';
import { csvCell, DUCK_TYPES, duckSelect, epochMicros, fromDuck } from '../providers/atribu/formats.js';
import * as X from './mixpanel-expected.js';
import { NOW, parseNdjson, runCli, startSandbox, tempDir, type Sandbox } from './harness.js';

// The real CLI against a spawned sandbox's /mixpanel. The raw events are the truth: the events
// dataset and the export are checked against them directly; the other reports against the body
// the sandbox computes for the same parameters, flattened by mixpanel-expected.ts (not by the
// exporter's code) and cut to the range there.

const WORLD: MixpanelTruthQuery = { seed: 1, scale: 0.2, dataStart: '2026-01-01', now: NOW };
const SANDBOX_ARGS = ['--scale', '0.2', '--data-start', '2026-01-01'];
// The CLI's own clock sets the interval (the sandbox's is fixed at NOW): count from the real today.
const today = () => new Date().toISOString().slice(0, 10);

interface Case {
  dataset: string;
  args: string[];
  expected: () => Row[];
  /** The unit and --from the request's `interval` must reach back to, when it has one. */
  reach?: [X.Unit, string];
}

const interval = (unit: X.Unit, from: string) => String(X.unitsBack(unit, from, today()));
const json = (items: string[]) => JSON.stringify(items);
const body = (endpoint: string, wire: Record<string, string>) => X.body(WORLD, endpoint, wire);

/** events: counted here from the raw events, not from any report code. */
function countEvents(names: string[], from: string, to: string): Row[] {
  const counts = new Map<string, number>();
  for (const e of truthEvents({ ...WORLD, from, to })) {
    const key = `${e.event}|${new Date((e.properties.time as number) * 1000).toISOString().slice(0, 10)}`;
    counts.set(key, (counts.get(key) ?? 0) + 1);
  }
  const rows: Row[] = [];
  for (const event of names) for (let d = Date.parse(from); d <= Date.parse(to); d += 86_400_000) {
    const date = new Date(d).toISOString().slice(0, 10);
    rows.push({ event, date, value: counts.get(`${event}|${date}`) ?? 0 });
  }
  return rows;
}

/** export: each raw event with its three lifted properties. */
function exportRows(from: string, to: string): Row[] {
  return truthEvents({ ...WORLD, from, to }).map(({ event, properties: { time, distinct_id, $insert_id, ...rest } }) => ({ event, time, distinct_id, insert_id: $insert_id, properties: rest }));
}

const CASES: Case[] = [
  {
    dataset: 'mixpanel:events',
    args: ['--from', '2026-05-14', '--to', '2026-05-20', '--param', 'event=Viewed Page', '--param', 'event=Café ☕ visited'],
    expected: () => countEvents(['Viewed Page', 'Café ☕ visited'], '2026-05-14', '2026-05-20'),
    reach: ['day', '2026-05-14'],
  },
  { dataset: 'mixpanel:events-top', args: ['--param', 'type=unique', '--param', 'limit=5'], expected: () => X.eventsTopRows(body('events/top', { type: 'unique', limit: '5' })) },
  {
    dataset: 'mixpanel:event-names',
    args: ['--from', '2026-05-14'],
    expected: () => X.rankedRows(body('events/names', { type: 'general', unit: 'day', interval: interval('day', '2026-05-14') }), (event, rank) => ({ rank, event })),
    reach: ['day', '2026-05-14'],
  },
  {
    dataset: 'mixpanel:retention',
    args: ['--from', '2026-04-20', '--to', '2026-05-20', '--param', 'event=Viewed Page', '--param', 'unit=week'],
    expected: () => X.cut(X.retentionRows(body('retention', { event: json(['Viewed Page']), type: 'general', unit: 'week', interval: interval('week', '2026-04-20') })), 'week', 'cohort_date', '2026-04-20', '2026-05-20'),
    reach: ['week', '2026-04-20'],
  },
  {
    dataset: 'mixpanel:event-properties',
    args: ['--from', '2026-05-14', '--to', '2026-05-19', '--param', 'event=Purchased', '--param', 'name=currency'],
    expected: () => {
      const wire = { event: 'Purchased', name: 'currency', type: 'general', unit: 'day', interval: interval('day', '2026-05-14') };
      const rows = X.seriesRows(body('events/properties', wire), (property_value, date, value) => ({ event: 'Purchased', property: 'currency', property_value, date, value }) as Row);
      return X.cut(rows, 'day', 'date', '2026-05-14', '2026-05-19');
    },
    reach: ['day', '2026-05-14'],
  },
  {
    dataset: 'mixpanel:event-properties-top',
    args: ['--from', '2026-05-14', '--param', 'event=Purchased'],
    expected: () => X.propertiesTopRows(body('events/properties/top', { event: 'Purchased', type: 'general', unit: 'day', interval: interval('day', '2026-05-14') }), 'Purchased'),
    reach: ['day', '2026-05-14'],
  },
  {
    dataset: 'mixpanel:event-property-values',
    args: ['--from', '2026-05-14', '--param', 'event=Searched', '--param', 'name=search_term'],
    expected: () =>
      X.rankedRows(body('events/properties/values', { event: 'Searched', name: 'search_term', type: 'general', unit: 'day', interval: interval('day', '2026-05-14') }), (property_value, rank) => ({
        event: 'Searched',
        property: 'search_term',
        rank,
        property_value,
      })),
    reach: ['day', '2026-05-14'],
  },
  {
    dataset: 'mixpanel:funnels',
    args: ['--from', '2026-05-04', '--to', '2026-05-20', '--param', 'funnel=Purchase funnel', '--param', 'funnel=Search → Buy, "fast"'],
    expected: () => X.cut(X.funnelRows(body('funnels', { funnel: json(['Purchase funnel', 'Search → Buy, "fast"']), unit: 'week', interval: interval('week', '2026-05-04') })), 'week', 'date', '2026-05-04', '2026-05-20'),
    reach: ['week', '2026-05-04'],
  },
  {
    dataset: 'mixpanel:funnel-names',
    args: ['--from', '2026-05-14'],
    expected: () => (body('funnels/names', { unit: 'week', interval: interval('week', '2026-05-14') }) as string[]).map((funnel) => ({ funnel })),
    reach: ['week', '2026-05-14'],
  },
  {
    dataset: 'mixpanel:funnel-dates',
    args: ['--from', '2026-03-01', '--to', '2026-05-20', '--param', 'funnel=Signup flow'],
    expected: () => X.cut(X.funnelDatesRows(body('funnels/dates', { funnel: json(['Signup flow']), unit: 'week' })), 'week', 'date', '2026-03-01', '2026-05-20'),
  },
  {
    dataset: 'mixpanel:funnel-properties',
    args: ['--from', '2026-05-04', '--to', '2026-05-20', '--param', 'funnel=Purchase funnel', '--param', 'name=$browser'],
    expected: () => {
      const wire = { funnel: 'Purchase funnel', name: '$browser', unit: 'week', interval: interval('week', '2026-05-04') };
      return X.cut(X.funnelPropertyRows(body('funnels/properties', wire), 'Purchase funnel', '$browser'), 'week', 'date', '2026-05-04', '2026-05-20');
    },
    reach: ['week', '2026-05-04'],
  },
  {
    dataset: 'mixpanel:funnel-property-names',
    args: ['--from', '2026-05-04', '--param', 'funnel=Signup flow'],
    expected: () => X.funnelPropertyNameRows(body('funnels/properties/names', { funnel: 'Signup flow', unit: 'week', interval: interval('week', '2026-05-04') })),
    reach: ['week', '2026-05-04'],
  },
  { dataset: 'mixpanel:export', args: ['--from', '2026-05-18', '--to', '2026-05-20'], expected: () => exportRows('2026-05-18', '2026-05-20') },
];


describe('mixpanel against the sandbox', () => {
  let sb: Sandbox;
  let limited: Sandbox;
  let future: Sandbox;
  const dir = tempDir();
  const legacy = { MIXPANEL_API_KEY: SANDBOX_API_KEY, MIXPANEL_API_SECRET: SANDBOX_API_SECRET };
  const account = { MIXPANEL_SERVICE_ACCOUNT_USERNAME: SANDBOX_SA_USERNAME, MIXPANEL_SERVICE_ACCOUNT_SECRET: SANDBOX_SA_SECRET, MIXPANEL_PROJECT_ID: SANDBOX_PROJECT_ID };
  const env = (over: Record<string, string | undefined> = {}, s = sb) => ({ MIXPANEL_BASE_URL: `${s.url}/mixpanel`, ...legacy, ...account, ...over });
  const requests = async (s: Sandbox) => ((await (await fetch(`${s.url}/_sandbox/stats`)).json()) as { requests: number }).requests;

  beforeAll(async () => {
    [sb, limited, future] = await Promise.all([
      startSandbox(['--rate-limits', 'off', ...SANDBOX_ARGS]),
      startSandbox(SANDBOX_ARGS),
      // A server clock past every expire this machine will sign: "Expired request".
      startSandboxAt('2031-01-01T00:00:00Z'),
    ]);
  });
  afterAll(async () => {
    await Promise.all([sb.stop(), limited.stop(), future.stop()]);
    dir.cleanup();
  });

  for (const c of CASES) {
    it(`${c.dataset}: exactly the sandbox's rows, as NDJSON, CSV and Parquet`, async () => {
      const columns = findDataset(c.dataset).columns;
      const names = columns.map((col) => col.name);
      const out = (ext: string) => join(dir.path, `${c.dataset.replace(':', '-')}.${ext}`);
      const runs = await Promise.all(['ndjson', 'csv', 'parquet'].map((ext) => runCli(['export', c.dataset, ...c.args, '-o', out(ext), '--verbose'], { env: env() })));
      for (const r of runs) expect([r.code, r.stderr]).toEqual([0, expect.stringContaining(`of ${c.dataset}`)]);
      // The request reaches back to --from (the rows below then show it was read right).
      const sent = /[?&]interval=(\d+)[&\s]/.exec(runs[0]!.stderr)?.[1];
      expect(sent).toBe(c.reach ? interval(...c.reach) : undefined);
      const want = c.expected();
      expect(want.length).toBeGreaterThan(0);

      const got = parseNdjson(readFileSync(out('ndjson')));
      expect(got).toEqual(want);
      const [header, ...records] = parseCsvWithPython(readFileSync(out('csv'), 'utf8'));
      expect(header).toEqual(names);
      expect(records).toEqual(want.map((r) => columns.map((col) => csvCell(r[col.name], col.type))));
      const described = await duckdb(`DESCRIBE SELECT * FROM read_parquet(${sqlString(out('parquet'))})`);
      expect(described.map((d) => [d.column_name, d.column_type])).toEqual(columns.map((col) => [col.name, DUCK_TYPES[col.type]]));
      const back = await duckdb(`SELECT ${duckSelect(columns)} FROM read_parquet(${sqlString(out('parquet'))})`);
      const norm = (r: Record<string, unknown>) => Object.fromEntries(columns.map((col) => [col.name, fromDuck(r[col.name], col.type)]));
      const expected = (r: Record<string, unknown>) => Object.fromEntries(columns.map((col) => [col.name, col.type === 'timestamp' ? epochMicros(r[col.name]) : fromDuck(r[col.name], col.type)]));
      expect(back.map(norm)).toEqual(want.map(expected));
    });
  }

  it('the export cuts the range into day requests, the same bytes with the project secret', async () => {
    const args = ['export', 'mixpanel:export', '--from', '2026-05-19', '--to', '2026-05-20', '--verbose'];
    const a = await runCli(args, { env: env() });
    expect(a.code).toBe(0);
    expect(a.stderr.match(/GET \S+\/api\/2\.0\/export\?from_date=(\S+)&to_date=(\S+)&project_id=1234567 200/g)).toHaveLength(2);
    const b = await runCli(args, { env: env({ MIXPANEL_SERVICE_ACCOUNT_USERNAME: undefined, MIXPANEL_SERVICE_ACCOUNT_SECRET: undefined, MIXPANEL_PROJECT_ID: undefined }) });
    expect(b.code).toBe(0);
    expect(b.stdout.equals(a.stdout)).toBe(true);
    for (const secret of [SANDBOX_API_SECRET, SANDBOX_SA_SECRET, SANDBOX_API_KEY]) expect(a.stderr + b.stderr).not.toContain(secret);
  });

  it('signed requests never show the key or secret, even with --verbose', async () => {
    const r = await runCli(['export', 'mixpanel:events', '--from', '2026-05-20', '--param', 'event=Purchased', '--verbose'], { env: env() });
    expect(r.code).toBe(0);
    expect(r.stderr).toMatch(/GET \S+\/api\/2\.0\/events\/\?api_key=…3464&event=%5B%22Purchased%22%5D&expire=\d+&format=json&interval=\d+&sig=[0-9a-f]{32}&type=general&unit=day 200/);
    expect(r.stderr).not.toContain(SANDBOX_API_SECRET);
    expect(r.stderr).not.toContain(SANDBOX_API_KEY);
  });

  it("every refusal of the API: exit code and the server's message", async () => {
    const events = ['export', 'mixpanel:events', '--from', '2026-05-19', '--param', 'event=Purchased'];
    const exp = ['export', 'mixpanel:export', '--from', '2026-05-19', '--to', '2026-05-19'];
    const cases: [string[], Record<string, string | undefined>, number, string, Sandbox?][] = [
      [events, { MIXPANEL_API_SECRET: 'f'.repeat(32) }, 3, 'authentication failed (400): "Invalid request signature"; check MIXPANEL_API_SECRET'],
      [events, { MIXPANEL_API_KEY: '0'.repeat(32) }, 3, 'authentication failed (400): "Invalid API key"'],
      [events, {}, 3, 'authentication failed (400): "Expired request"', future],
      [['export', 'mixpanel:funnels', '--param', 'funnel=Nope'], {}, 4, 'request rejected (400): "Invalid parameter: funnel"'],
      [exp, { MIXPANEL_SERVICE_ACCOUNT_SECRET: 'wrong' }, 3, 'authentication failed (401): "Unable to authenticate request"'],
      [exp, { MIXPANEL_PROJECT_ID: '999' }, 3, 'authentication failed (403): "The service account has no access to project 999"'],
      [
        exp,
        { MIXPANEL_PROJECT_ID: SANDBOX_BROKEN_PROJECT_ID },
        6,
        "export 2026-05-19, line 1: event at 2026-01-01T00:",
      ],
    ];
    const results = await Promise.all(cases.map(([args, over, , , s]) => runCli(args, { env: env(over, s ?? sb) })));
    results.forEach((r, i) => {
      const [, , code, message] = cases[i]!;
      expect([r.code, r.stderr]).toEqual([code, expect.stringContaining(`mbuzz: ${message}`)]);
      expect(r.stdout.length).toBe(0);
    });
    expect(results[6]!.stderr).toContain('the server did not honour from_date/to_date; stopped');
  });

  it('missing credentials or parameters: exit 2 and no request sent', async () => {
    const before = await requests(sb);
    const cases: [string[], Record<string, string | undefined>, string][] = [
      [['export', 'mixpanel:events', '--param', 'event=a'], { MIXPANEL_API_SECRET: undefined }, 'no Mixpanel API secret for mixpanel:events: set MIXPANEL_API_SECRET'],
      [['export', 'mixpanel:retention'], {}, 'mixpanel:retention needs --param event=<value>'],
      [['export', 'mixpanel:events', '--param', 'event=a', '--param', 'unit=year'], {}, 'unit="year" must be one of hour, day, week, month'],
      [['export', 'mixpanel:event-names', '--from', '2026-05-01', '--to', '2026-05-02'], {}, 'mixpanel:event-names is one total over the last units up to now: --to must be today'],
      [['export', 'mixpanel:export'], { MIXPANEL_SERVICE_ACCOUNT_USERNAME: undefined, MIXPANEL_SERVICE_ACCOUNT_SECRET: undefined, MIXPANEL_API_SECRET: undefined }, 'no credentials for mixpanel:export'],
      [['export', 'mixpanel:export'], { MIXPANEL_PROJECT_ID: undefined }, 'a Mixpanel service account needs a username, a secret and a project id: set MIXPANEL_PROJECT_ID'],
      [['export', 'mixpanel:export', '--param', 'days_per_request=0'], {}, 'days_per_request="0" must be a whole number from 1 to 366'],
    ];
    const results = await Promise.all(cases.map(([args, over]) => runCli(args, { env: env(over) })));
    results.forEach((r, i) => expect([r.code, r.stderr]).toEqual([2, expect.stringContaining(cases[i]![2])]));
    expect(await requests(sb)).toBe(before);
  });

  it('the export stops at 60 requests an hour: the 61st day ends the run (exit 4) quoting the server', async () => {
    const r = await runCli(['export', 'mixpanel:export', '--from', '2026-03-01', '--to', '2026-04-30', '-o', join(dir.path, 'limited.ndjson')], { env: env({}, limited) });
    expect(r.code).toBe(4);
    expect(r.stderr).toMatch(/mbuzz: rate limited \(429\): the server asks to wait (3[0-9]{3})s: "Query rate limit exceeded: 60 export requests per hour per project"/);
    expect(await requests(limited)).toBe(61);
  });

  it('mbuzz datasets lists the thirteen Mixpanel datasets with their parameters and date mapping', async () => {
    const r = await runCli(['datasets', '--json']);
    const mixpanel = (JSON.parse(r.stdout.toString()) as { name: string; notes?: string; params: { name: string }[] }[]).filter((d) => d.name.startsWith('mixpanel:'));
    expect(mixpanel.map((d) => d.name)).toEqual(CASES.map((c) => c.dataset));
    expect(mixpanel.find((d) => d.name === 'mixpanel:events')!.notes).toMatch(/interval counts units back from the current one/);
    expect(mixpanel.find((d) => d.name === 'mixpanel:export')!.notes).toMatch(/from_date\/to_date, both inclusive/);
  });
});

/** A sandbox whose clock is set later than NOW (startSandbox always passes NOW first; a later --now wins). */
function startSandboxAt(now: string): Promise<Sandbox> {
  return startSandbox([...SANDBOX_ARGS, '--rate-limits', 'off', '--now', now]);
}
