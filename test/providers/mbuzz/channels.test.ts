import { describe, expect, it } from 'vitest';
import { ALGORITHMS, CHANNELS } from '../../../src/providers/mbuzz/channels.js';
import { ALGORITHMS as SERVER_ALGORITHMS, CHANNELS as SERVER_CHANNELS } from '../../../src/sandbox/vocab.js';

// The client checks channel names before any request; the sandbox plays the server with its own
// list. If one changes without the other, the client would refuse a real channel or pass an
// unknown one (which the server answers with nothing at all).
describe('mbuzz channels', () => {
  it('the client knows exactly the server\'s channels, in its canonical order', () => {
    expect([...CHANNELS]).toEqual([...SERVER_CHANNELS]);
  });
  it('and its attribution models', () => {
    expect([...ALGORITHMS]).toEqual([...SERVER_ALGORITHMS]);
  });
});
