// The fault kinds by name, apart from the machinery that injects them: `mbuzz sandbox --help`
// lists them, and help must not load the sandbox.

export const FAULT_KINDS = ['500', '502', '503', '504', '429', '429-no-retry-after', 'reset', 'truncate'] as const;
export type FaultKind = (typeof FAULT_KINDS)[number];

export function isFaultKind(s: string): s is FaultKind {
  return (FAULT_KINDS as readonly string[]).includes(s);
}
