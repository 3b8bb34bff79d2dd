// The server's canonical channels, in its canonical order (app/constants/channels.rb).
// Sending exactly this list in this order is "no filter"; any other list is an SQL IN.
export const CHANNELS = [
  'paid_search',
  'organic_search',
  'paid_social',
  'organic_social',
  'email',
  'display',
  'affiliate',
  'referral',
  'video',
  'ai',
  'direct',
  'other',
] as const;

export type Channel = (typeof CHANNELS)[number];

export const ALGORITHMS = [
  'first_touch',
  'last_touch',
  'linear',
  'time_decay',
  'u_shaped',
  'participation',
  'markov_chain',
  'shapley_value',
] as const;

export function isChannel(name: string): name is Channel {
  return (CHANNELS as readonly string[]).includes(name);
}
