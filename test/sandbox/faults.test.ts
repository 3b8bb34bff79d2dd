import { describe, expect, it } from 'vitest';
import { FAULT_KINDS, FaultPicker, combineFaults, faultResponse, parseFaultSpec } from '../../src/sandbox/faults.js';

describe('fault spec', () => {
  it('parses kinds and probabilities, adding repeats', () => {
    expect(parseFaultSpec('500=0.02, reset=0.01,429-no-retry-after=0.1,500=0.01')).toEqual({ '500': 0.03, reset: 0.01, '429-no-retry-after': 0.1 });
    expect(parseFaultSpec('')).toEqual({});
  });

  it.each([['bogus=0.1', /unknown fault kind "bogus"/], ['500', /needs a probability/], ['500=2', /between 0 and 1/], ['500=x', /between 0 and 1/]])(
    'rejects %j',
    (spec, message) => expect(() => parseFaultSpec(spec)).toThrow(message),
  );

  it('spreads faultRate evenly over every kind and refuses totals above 1', () => {
    const rates = combineFaults(0.8, { reset: 0.1 });
    expect(rates).toHaveLength(FAULT_KINDS.length);
    expect(rates.find(([k]) => k === '503')?.[1]).toBeCloseTo(0.1);
    expect(rates.find(([k]) => k === 'reset')?.[1]).toBeCloseTo(0.2);
    expect(() => combineFaults(0.5, { '500': 0.6 })).toThrow(/more than 1/);
    expect(combineFaults(0, {})).toEqual([]);
  });
});

describe('fault picker', () => {
  it('repeats its sequence for a seed and hits each kind at about its rate', () => {
    const draw = (seed: number) => {
      const picker = new FaultPicker(combineFaults(0.4, {}), seed);
      return Array.from({ length: 4000 }, () => picker.pick());
    };
    const a = draw(7);
    expect(draw(7)).toEqual(a);
    expect(draw(8)).not.toEqual(a);
    for (const kind of FAULT_KINDS) {
      const n = a.filter((k) => k === kind).length;
      expect(n).toBeGreaterThan(120);
      expect(n).toBeLessThan(280);
    }
    expect(a.filter((k) => k === null).length).toBeGreaterThan(2200);
    expect(new FaultPicker([]).pick()).toBeNull();
  });

  it('answers like the stack in front of the server', () => {
    expect(faultResponse('500')).toMatchObject({ status: 500, body: '{"error":"Internal server error"}' });
    expect(faultResponse('502').body).toMatch(/<html>.*502 Bad Gateway/s);
    expect(faultResponse('502').headers['content-type']).toBe('text/html');
    expect(faultResponse('429').headers['retry-after']).toBe('1');
    expect(faultResponse('429-no-retry-after').headers['retry-after']).toBeUndefined();
  });
});
