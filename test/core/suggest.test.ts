import { describe, expect, it } from 'vitest';
import { didYouMean, editDistance, suggest } from '../../src/core/suggest.js';

// Expected distances are counted by hand (insert, delete, substitute, swap two neighbours).
describe('editDistance', () => {
  it.each([
    ['', '', 0],
    ['', 'abc', 3],
    ['abc', '', 3],
    ['email', 'email', 0],
    ['emial', 'email', 1], // one swap, not two substitutions
    ['conversion', 'conversions', 1],
    ['basurl', 'base_url', 2],
    ['kitten', 'sitting', 3],
    ['ca', 'abc', 3], // optimal string alignment: a swapped pair is not edited again
  ])('%j -> %j is %i', (a, b, d) => {
    expect(editDistance(a, b)).toBe(d);
    expect(editDistance(b, a)).toBe(d);
  });
});

describe('suggest', () => {
  const channels = ['paid_search', 'organic_search', 'paid_social', 'organic_social', 'email', 'display', 'affiliate', 'referral', 'video', 'ai', 'direct', 'other'];

  it.each([
    ['conversion', ['conversions', 'funnel', 'spend'], 'conversions'],
    ['basurl', ['provider', 'base_url', 'api_key'], 'base_url'],
    ['Base-URL', ['provider', 'base_url', 'api_key'], 'base_url'],
    ['emial', channels, 'email'],
    ['Email', channels, 'email'],
    ['paid-social', channels, 'paid_social'],
    ['mixpanel:event', ['mixpanel:events', 'mixpanel:funnels', 'mixpanel:export'], 'mixpanel:events'],
    ['concurency', ['concurrency', 'per_page'], 'concurrency'],
  ])('%j suggests %j', (name, candidates, want) => {
    expect(suggest(name, candidates)).toBe(want);
  });

  it.each([
    ['tv', channels], // two letters: one edit allowed, and no channel is one edit away
    ['ga4:events', ['mixpanel:events', 'atribu:conversions']],
    ['colour', ['profile', 'profiles']],
    ['x', []],
  ])('%j suggests nothing among %j', (name, candidates) => {
    expect(suggest(name, candidates)).toBeUndefined();
  });

  it('prefers the closest candidate, and the earlier one on a tie', () => {
    expect(suggest('funel', ['fun', 'funnel', 'funnels'])).toBe('funnel');
    expect(suggest('ab', ['ac', 'ad'])).toBe('ac');
  });

  it('never suggests the name itself', () => {
    expect(suggest('email', ['email'])).toBeUndefined();
  });

  it('didYouMean wraps the suggestion for a message, or adds nothing', () => {
    expect(didYouMean('emial', channels)).toBe(' (did you mean email?)');
    expect(didYouMean('tv', channels)).toBe('');
  });
});
