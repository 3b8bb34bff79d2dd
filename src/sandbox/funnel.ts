// /data/funnel, one day at a time. The server loads every visit, event and conversion of the
// window and sorts them in Ruby by timestamp (an unstable sort_by), so rows with one timestamp
// (an event and the conversion made from it) are a tie group. Here a day is materialised once
// into compact sorted arrays (~15 bytes a row) kept in a small LRU; rows are rendered on demand.
import { Lru, bytesOf } from './lru.js';
import { channelMatches, prefixWhere, type DaySource, type DayView } from './dataset.js';
import { conversionDetail, conversionFlags, conversionTime, conversionType, MAX_JOURNEY } from './conversion-detail.js';
import { drawSession, sessionId, sessionsOn, MAX_EVENTS } from './sessions.js';
import type { ConversionsSource } from './conversions.js';
import type { VolumeContext } from './volume.js';
import type { RowFilter } from './params.js';
import { dayString, DAY_MICROS } from './calendar.js';
import { CHANNEL_JSON, CONVERSION_NAME_JSON, CONVERSION_TYPES, EVENT_NAME_JSON, EVENT_TYPES, FUNNELS, FUNNEL_JSON, NULL_CHANNEL, UTM_NULL_JSON } from './vocab.js';

const VISIT = 0;
const EVENT = 1;
const TWIN = 2; // the event a conversion was made from: same session, same timestamp
const CONVERSION = 3;

interface FunnelDay {
  n: number;
  ts: Float64Array;
  kind: Uint8Array;
  /** Visit: session index; event: session * MAX_EVENTS + event; twin/conversion: conversion index. */
  ref: Uint32Array;
  chan: Uint8Array;
  funnel: Uint8Array;
}

// ~2.6 MB a day at scale 50, ~50 KB at scale 1.
const DAY_BYTES = 64 * 1024 * 1024;

export class FunnelSource implements DaySource {
  private readonly days = new Lru<FunnelDay>(DAY_BYTES, (d) => bytesOf(d.ts, d.kind, d.ref, d.chan, d.funnel));
  private readonly positions = new Lru<Uint32Array>(16 * 1024 * 1024, (p) => bytesOf(p));

  constructor(
    private readonly ctx: VolumeContext,
    private readonly conversions: ConversionsSource,
  ) {}

  private day(day: number): FunnelDay {
    return this.days.getOrCreate(String(day), () => this.build(day));
  }

  private build(day: number): FunnelDay {
    const sessions = sessionsOn(this.ctx, day);
    const index = this.conversions.index(day);
    // At most one visit and four events per session, and two rows per conversion.
    const cap = sessions * 5 + index.n * 2;
    const raw: FunnelDay = { n: 0, ts: new Float64Array(cap), kind: new Uint8Array(cap), ref: new Uint32Array(cap), chan: new Uint8Array(cap), funnel: new Uint8Array(cap) };
    const push = (t: number, k: number, r: number, c: number, f: number) => {
      const i = raw.n++;
      raw.ts[i] = t;
      raw.kind[i] = k;
      raw.ref[i] = r;
      raw.chan[i] = c;
      raw.funnel[i] = f;
    };
    for (let j = 0; j < sessions; j++) {
      const s = drawSession(this.ctx, day, j, false);
      if (!s.suspect) push(s.start, VISIT, j, s.channel, 0);
      s.events.forEach((e, k) => push(e.ts, EVENT, j * MAX_EVENTS + k, s.channel, (EVENT_TYPES[e.type] as { funnel: number }).funnel));
    }
    for (let i = 0; i < index.n; i++) {
      const t = conversionTime(this.ctx, day, i, index.n);
      const f = (CONVERSION_TYPES[conversionType(this.ctx, day, i)] as { funnel: number }).funnel;
      const { sessionless, fromEvent } = conversionFlags(this.ctx, day, i);
      // The converting session is the last touch; a sessionless conversion joins no channel.
      const c = sessionless ? NULL_CHANNEL : (index.chans[i * MAX_JOURNEY + (index.lengths[i] as number) - 1] as number);
      if (fromEvent) push(t, TWIN, i, c, f);
      push(t, CONVERSION, i, c, f);
    }
    // Stable order = by timestamp, then creation order; the tie modes reshuffle equal timestamps.
    const order = sortByTime(raw.ts, raw.n);
    const n = raw.n;
    const out: FunnelDay = {
      n, ts: new Float64Array(n), kind: new Uint8Array(n), ref: new Uint32Array(n), chan: new Uint8Array(n), funnel: new Uint8Array(n),
    };
    for (let to = 0; to < n; to++) {
      const from = order[to] as number;
      out.ts[to] = raw.ts[from] as number;
      out.kind[to] = raw.kind[from] as number;
      out.ref[to] = raw.ref[from] as number;
      out.chan[to] = raw.chan[from] as number;
      out.funnel[to] = raw.funnel[from] as number;
    }
    return out;
  }

  /** Positions (into the sorted day) of rows matching the filter; null = every row. */
  private matching(day: number, d: FunnelDay, filter: RowFilter): Uint32Array | null {
    const { channelMask: mask, funnel } = filter;
    if (mask === null && funnel === null) return null;
    const key = `${day}|${mask ?? '*'}|${funnel === null ? '' : JSON.stringify(funnel)}`;
    return this.positions.getOrCreate(key, () => {
      const wanted = Array.isArray(funnel) ? FUNNELS.map((name) => name !== null && funnel.includes(name)) : null;
      const out: number[] = [];
      for (let p = 0; p < d.n; p++) {
        // Any funnel param drops visits; a named funnel then keeps only rows of that funnel.
        if (funnel !== null && d.kind[p] === VISIT) continue;
        if (wanted !== null && !wanted[d.funnel[p] as number]) continue;
        if (!channelMatches(mask, d.chan[p] as number)) continue;
        out.push(p);
      }
      return Uint32Array.from(out);
    });
  }

  count(day: number, filter: RowFilter, cutoff: number): number {
    return this.view(day, filter, cutoff).rows;
  }

  view(day: number, filter: RowFilter, cutoff: number): DayView {
    const d = this.day(day);
    const positions = this.matching(day, d, filter);
    const at = positions === null ? (i: number) => i : (i: number) => positions[i] as number;
    const total = positions === null ? d.n : positions.length;
    // Rows are in timestamp order, so what exists by the cutoff is a prefix.
    const rows = cutoff === Infinity ? total : prefixWhere(total, (i) => (d.ts[at(i)] as number) <= cutoff);
    return {
      rows,
      group: (pos) => {
        const t = d.ts[at(pos)];
        let start = pos;
        let end = pos + 1;
        while (start > 0 && d.ts[at(start - 1)] === t) start--;
        while (end < rows && d.ts[at(end)] === t) end++;
        return [start, end];
      },
      render: (start, end, out) => {
        for (let i = start; i < end; i++) out.push(this.renderRow(day, d, at(i)));
      },
    };
  }

  private renderRow(day: number, d: FunnelDay, p: number): string {
    const date = `{"date":"${dayString(day)}","type":`;
    const r = d.ref[p] as number;
    const kind = d.kind[p] as number;
    if (kind === VISIT || kind === EVENT) {
      const j = kind === VISIT ? r : Math.floor(r / MAX_EVENTS);
      const s = drawSession(this.ctx, day, j);
      const channel = s.channel === NULL_CHANNEL ? 'null' : CHANNEL_JSON[s.channel];
      const id = sessionId(this.ctx, day, j);
      if (kind === VISIT) {
        return `${date}"visit","name":null,"funnel":null,"channel":${channel}${s.utm},"revenue":null,"currency":null,"is_acquisition":null,"properties":null,"session_id":${id}}`;
      }
      const e = s.events[r % MAX_EVENTS] as { type: number; propertiesJson: string };
      const type = EVENT_TYPES[e.type] as { funnel: number };
      return `${date}"event","name":${EVENT_NAME_JSON[e.type]},"funnel":${FUNNEL_JSON[type.funnel]},"channel":${channel}${s.utm},"revenue":null,"currency":null,"is_acquisition":null,"properties":${e.propertiesJson},"session_id":${id}}`;
    }
    const c = conversionDetail(this.ctx, day, r);
    const last = c.length - 1;
    let channel = 'null';
    let utm = UTM_NULL_JSON;
    let id = 'null';
    if (!c.sessionless) {
      const back = day - (c.daysBefore[last] as number);
      const pool = Math.max(1, sessionsOn(this.ctx, back));
      channel = CHANNEL_JSON[c.chans[last] as number] as string;
      utm = c.utm[last] as string;
      id = String(sessionId(this.ctx, back, c.sessionPick % pool));
    }
    const name = CONVERSION_NAME_JSON[c.typeIndex];
    const funnel = FUNNEL_JSON[c.funnel];
    if (kind === TWIN) {
      const properties = c.revenue === null ? '{}' : `{"value":${c.revenueJson},"currency":${c.currencyJson}}`;
      return `${date}"event","name":${name},"funnel":${funnel},"channel":${channel}${utm},"revenue":null,"currency":null,"is_acquisition":null,"properties":${properties},"session_id":${id}}`;
    }
    return `${date}"conversion","name":${name},"funnel":${funnel},"channel":${channel}${utm},"revenue":${c.revenueJson},"currency":${c.currencyJson},"is_acquisition":${c.isAcquisition},"properties":${c.propertiesJson},"session_id":${id}}`;
  }
}

/**
 * Indices of ts[0..n) ordered by (ts, index): a counting sort into time buckets, then insertion
 * sort inside each (a couple of items on average). Linear time; a comparison sort of a large
 * day cost several times more.
 */
function sortByTime(ts: Float64Array, n: number): Uint32Array {
  const buckets = 1 << 16;
  const bucketOf = (t: number) => Math.min(buckets - 1, Math.floor((t / DAY_MICROS) * buckets));
  const starts = new Uint32Array(buckets + 1);
  for (let i = 0; i < n; i++) {
    const b = bucketOf(ts[i] as number) + 1;
    starts[b] = (starts[b] as number) + 1;
  }
  for (let b = 0; b < buckets; b++) starts[b + 1] = (starts[b + 1] as number) + (starts[b] as number);
  const next = starts.slice(0, buckets);
  const order = new Uint32Array(n);
  for (let i = 0; i < n; i++) {
    const b = bucketOf(ts[i] as number);
    order[next[b] as number] = i;
    next[b] = (next[b] as number) + 1;
  }
  for (let b = 0; b < buckets; b++) {
    for (let i = (starts[b] as number) + 1; i < (starts[b + 1] as number); i++) {
      const item = order[i] as number;
      const t = ts[item] as number;
      let j = i - 1;
      while (j >= (starts[b] as number) && (ts[order[j] as number] as number) > t) {
        order[j + 1] = order[j] as number;
        j--;
      }
      order[j + 1] = item;
    }
  }
  return order;
}
