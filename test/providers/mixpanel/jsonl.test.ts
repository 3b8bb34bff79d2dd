import { describe, expect, it } from 'vitest';
import { checkJsonlEnd, countJsonlLines, exportRow, jsonlBatches } from '../../../src/providers/mixpanel/jsonl.js';
import { registerSecret } from '../../../src/core/secrets.js';
import { IntegrityError } from '../../../src/core/errors.js';

const line = (event: string, properties: Record<string, unknown>) => JSON.stringify({ event, properties });

describe('Mixpanel export JSONL', () => {
  it('lifts time, distinct_id and $insert_id out of the properties and keeps the rest', () => {
    const row = exportRow(line('Signed Up', { time: 1779062741, distinct_id: 'u_1', $insert_id: 'abc', $city: 'São Paulo', referrer: null, 'a,b': '"q"' }), 'x');
    expect(row).toEqual({ event: 'Signed Up', time: 1779062741, distinct_id: 'u_1', insert_id: 'abc', properties: { $city: 'São Paulo', referrer: null, 'a,b': '"q"' } });
  });

  it('a numeric distinct_id becomes text; missing ids are null; an odd $insert_id stays a property', () => {
    expect(exportRow(line('e', { time: 1, distinct_id: 42 }), 'x')).toMatchObject({ distinct_id: '42', insert_id: null, properties: {} });
    expect(exportRow(line('e', { time: 1, $insert_id: 7 }), 'x')).toMatchObject({ distinct_id: null, insert_id: null, properties: { $insert_id: 7 } });
  });

  it('refuses lines that are not events, saying which line', () => {
    expect(() => exportRow('{"event":"e"}', 'export 2026-05-01, line 3')).toThrow(/line 3 has no "properties" object/);
    expect(() => exportRow(line('e', { time: 1.5 }), 'l')).toThrow(/properties.time is 1.5, not whole seconds/);
    expect(() => exportRow('{"event":', 'l')).toThrow(IntegrityError);
  });

  it('refuses an event nested deeper than 512 levels (exit 6), and keeps one at 512', () => {
    const nested = (n: number) => `{"event":"e","properties":{"time":1,"x":${'['.repeat(n - 2)}${']'.repeat(n - 2)}}}`;
    expect(exportRow(nested(512), 'l').event).toBe('e');
    expect(() => exportRow(nested(513), 'export 2026-05-01, line 9')).toThrow(/^export 2026-05-01, line 9 nests deeper than 512 levels, more than any real event; refused$/);
    expect(() => exportRow(nested(10_000), 'l')).toThrow(IntegrityError);
  });

  it('quotes a bad line masked before it is cut at 80 characters, without control characters', () => {
    registerSecret('jsonl-secret-0123456789abcdefghijklmnopqrstuvwxyz');
    const line = `${'x'.repeat(60)}\u001b[2J jsonl-secret-0123456789abcdefghijklmnopqrstuvwxyz`;
    expect(() => exportRow(line, 'l')).toThrow(`l is not JSON: ${'x'.repeat(60)} [2J …wxyz`);
  });

  it('batches lines in order, skipping blank ones and CRLF endings', () => {
    const body = [line('a', { time: 1 }), '', line('b', { time: 2 }), line('c', { time: 3 })].join('\r\n') + '\n';
    const batches = [...jsonlBatches(body, 2, 'x')];
    expect(batches.map((b) => b.map((r) => r.event))).toEqual([['a', 'b'], ['c']]);
    expect(countJsonlLines(body)).toBe(3);
    expect([...jsonlBatches('', 2, 'x')]).toEqual([]);
  });

  it('passes each row and its line to the check', () => {
    const body = [line('a', { time: 1 }), line('b', { time: 2 })].join('\n');
    expect(() => [...jsonlBatches(body, 10, 'export 2026-05-01', (r, where) => {
      if (r.time === 2) throw new IntegrityError(`${where}: late`);
    })]).toThrow('export 2026-05-01, line 2: late');
  });

  it('a body cut inside its last line is caught (and retried) before any row leaves', () => {
    const whole = `${line('a', { time: 1 })}\n${line('b', { time: 2 })}\n`;
    expect(checkJsonlEnd(whole)).toBeUndefined();
    expect(checkJsonlEnd('')).toBeUndefined();
    expect(checkJsonlEnd(whole.slice(0, whole.length - 8))).toMatch(/last line of the JSONL body is not JSON/);
  });
});
