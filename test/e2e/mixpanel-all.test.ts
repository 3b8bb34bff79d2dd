import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { addDays } from '../../src/core/dates.js';
import type { Row } from '../../src/core/columns.js';
import { SANDBOX_API_KEY, SANDBOX_API_SECRET } from '../../src/sandbox/mixpanel/keys.js';
import { truthEvents, type MixpanelTruthQuery } from '../../src/sandbox/mixpanel/truth.js';
import * as X from './mixpanel-expected.js';
import { NOW, parseNdjson, runCli, startSandbox, type Sandbox } from './harness.js';

// Issue 13 point 9: `mixpanel:events` and `mixpanel:funnels` with no --param event= / funnel=
// export every event / funnel, listed by events/names and funnels/names. Expected rows come from
// the sandbox's truth: the events from its raw events (which names occur, and how often per day),
// the funnels from the bodies it computes for funnels/names and funnels/ (flattened by
// mixpanel-expected.ts, not by the exporter).

const WORLD: MixpanelTruthQuery = { seed: 1, scale: 0.2, dataStart: '2026-01-01', now: NOW };
// The CLI's own clock sets the interval (the sandbox's is fixed at NOW): counted from the real today.
const today = () => new Date().toISOString().slice(0, 10);
const interval = (unit: X.Unit, from: string) => X.unitsBack(unit, from, today());
const FROM = '2026-05-14';
const TO = '2026-05-19';

/** The names events/names lists: every event that happened in the `interval` days up to the sandbox's now. */
function namesSeen(days: number): string[] {
  const nowDay = NOW.slice(0, 10);
  const first = addDays(nowDay, -(days - 1));
  return [...new Set(truthEvents({ ...WORLD, from: first < WORLD.dataStart ? WORLD.dataStart : first, to: nowDay }).map((e) => e.event))].sort();
}

/** events/ per day, counted from the raw events. */
function countEvents(names: string[], from: string, to: string): Row[] {
  const counts = new Map<string, number>();
  for (const e of truthEvents({ ...WORLD, from, to })) {
    const key = `${e.event}|${new Date((e.properties.time as number) * 1000).toISOString().slice(0, 10)}`;
    counts.set(key, (counts.get(key) ?? 0) + 1);
  }
  return names.flatMap((event) => {
    const rows: Row[] = [];
    for (let d = from; d <= to; d = addDays(d, 1)) rows.push({ event, date: d, value: counts.get(`${event}|${d}`) ?? 0 });
    return rows;
  });
}

describe('mixpanel:events and mixpanel:funnels without naming them: all of them', () => {
  let sb: Sandbox;
  beforeAll(async () => {
    sb = await startSandbox(['--rate-limits', 'off', '--scale', '0.2', '--data-start', '2026-01-01']);
  });
  afterAll(async () => {
    await sb?.stop();
  });
  const env = () => ({ MIXPANEL_BASE_URL: `${sb.url}/mixpanel`, MIXPANEL_API_KEY: SANDBOX_API_KEY, MIXPANEL_API_SECRET: SANDBOX_API_SECRET });
  /** The paths and list parameters (parsed from their JSON) of the requests, from --verbose. */
  const sent = (stderr: string) =>
    [...stderr.matchAll(/GET \S+\/api\/2\.0\/([a-z/]+)\?(\S+) 200/g)].map(([, path, query]) => {
      const list = new URLSearchParams(query).get(path!.startsWith('funnels') ? 'funnel' : 'event');
      return { path, list: list === null ? null : (JSON.parse(list) as string[]), interval: new URLSearchParams(query).get('interval') };
    });

  it('events: every event events/names lists, per day, as the raw events count them', async () => {
    const r = await runCli(['export', 'mixpanel:events', '--from', FROM, '--to', TO, '--verbose'], { env: env() });
    expect(r.code, r.stderr).toBe(0);
    const names = namesSeen(interval('day', FROM));
    expect(names.length).toBeGreaterThan(5);
    expect(parseNdjson(r.stdout)).toEqual(countEvents(names, FROM, TO));
    expect(sent(r.stderr)).toEqual([
      { path: 'events/names/', list: null, interval: String(interval('day', FROM)) },
      { path: 'events/', list: names, interval: String(interval('day', FROM)) },
    ]);
    expect(r.stderr).toContain(`mbuzz: no --param event: exporting all ${names.length} events that events/names/ lists (1 request)`);
  });

  it('funnels: every funnel funnels/names lists, week by week', async () => {
    const from = '2026-05-04';
    const iv = String(interval('week', from));
    const r = await runCli(['export', 'mixpanel:funnels', '--from', from, '--to', TO, '--verbose'], { env: env() });
    expect(r.code, r.stderr).toBe(0);
    const names = (X.body(WORLD, 'funnels/names', { unit: 'week', interval: iv }) as string[]).slice().sort();
    expect(names.length).toBeGreaterThan(1);
    const want = X.cut(X.funnelRows(X.body(WORLD, 'funnels', { funnel: JSON.stringify(names), unit: 'week', interval: iv })), 'week', 'date', from, TO);
    expect(want.length).toBeGreaterThan(0);
    expect(parseNdjson(r.stdout)).toEqual(want);
    expect(sent(r.stderr).map((s) => s.path)).toEqual(['funnels/names/', 'funnels/']);
  });

  it('naming some still asks for just those, with no names request', async () => {
    const r = await runCli(['export', 'mixpanel:events', '--from', FROM, '--to', TO, '--param', 'event=Purchased', '--verbose'], { env: env() });
    expect(r.code, r.stderr).toBe(0);
    expect(sent(r.stderr).map((s) => [s.path, s.list])).toEqual([['events/', ['Purchased']]]);
    expect(parseNdjson(r.stdout)).toEqual(countEvents(['Purchased'], FROM, TO));
  });

  it('mbuzz datasets and export --help say so', async () => {
    const ds = await runCli(['datasets', 'mixpanel:events']);
    expect(ds.stdout.toString()).toMatch(/--param event=\.\.\. {2}event name; repeat for several \(sent as a JSON array\); none: every event events\/names lists \(repeatable\)\n/);
    expect(ds.stdout.toString()).toMatch(/Without --param event, every event that events\/names lists/);
    const fs = await runCli(['datasets', 'mixpanel:funnels', '--json']);
    const [funnels] = JSON.parse(fs.stdout.toString()) as { params: { name: string; required: boolean }[]; notes: string }[];
    expect(funnels!.params.find((p) => p.name === 'funnel')!.required).toBe(false);
    expect(funnels!.notes).toMatch(/Without --param funnel, every funnel that funnels\/names lists is exported/);
    const help = await runCli(['export', '--help']);
    expect(help.stdout.toString()).toMatch(/mixpanel:events and mixpanel:funnels without --param event=\/funnel= export every event\/funnel/);
  });
});
