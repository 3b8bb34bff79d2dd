// The Atribu sandbox's API keys: fixed and public, like the mbuzz sandbox's. Atribu keys carry
// scopes; the customers and journey endpoints need customers:read, which default keys lack.

export const ATRIBU_SANDBOX_KEYS = {
  /** Every scope, customers:read included: the key to use. */
  full: 'atb_live_5b1d0c9e7a3f48e2b6c4d8a1f0e3c7b9',
  /** The default scopes, without the PII pair: 403 insufficient_scope on both endpoints. */
  noCustomers: 'atb_live_0d7e3f9a2c5b41e8a6f4c2d0b9e1a3c5',
  /**
   * Misbehaves, to prove the exporter stops: the customers list ignores the cursor and sends the
   * same one again, and journeys claim 25 more events than they hold.
   */
  loop: 'atb_live_100b100b100b100b100b100b100b100b',
} as const;

export const ALL_SCOPES = ['analytics:read', 'campaigns:read', 'conversions:read', 'customers:read', 'visitors:read', 'realtime:read'] as const;
const DEFAULT_SCOPES = ['analytics:read', 'campaigns:read', 'conversions:read', 'realtime:read'] as const;

export interface AtribuKey {
  scopes: readonly string[];
  loop: boolean;
}

const KEYS: ReadonlyMap<string, AtribuKey> = new Map([
  [ATRIBU_SANDBOX_KEYS.full, { scopes: ALL_SCOPES, loop: false }],
  [ATRIBU_SANDBOX_KEYS.noCustomers, { scopes: DEFAULT_SCOPES, loop: false }],
  [ATRIBU_SANDBOX_KEYS.loop, { scopes: ALL_SCOPES, loop: true }],
]);

export function findAtribuKey(token: string): AtribuKey | undefined {
  return KEYS.get(token);
}
