// "Did you mean ...?" for names the user typed: config keys, datasets, channels, profiles.
// Pure and self-contained (imports nothing of mbuzz) so any layer can use it.

/**
 * Edit distance with adjacent transpositions (optimal string alignment): `emial` is one edit from
 * `email`, as a typist sees it, not two.
 */
export function editDistance(a: string, b: string): number {
  if (a === b) return 0;
  // Three rolling rows: the transposition step looks two rows back.
  let before = new Array<number>(b.length + 1).fill(0);
  let prev = Array.from({ length: b.length + 1 }, (_, j) => j);
  let cur = new Array<number>(b.length + 1).fill(0);
  for (let i = 1; i <= a.length; i++) {
    cur[0] = i;
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      let d = Math.min(prev[j]! + 1, cur[j - 1]! + 1, prev[j - 1]! + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) d = Math.min(d, before[j - 2]! + 1);
      cur[j] = d;
    }
    [before, prev, cur] = [prev, cur, before];
  }
  return prev[b.length]!;
}

/**
 * The candidate closest to `name`, or undefined when none is close enough to be a plausible typo.
 * Case and `-`/`_` are ignored (`Base-URL` finds `base_url`); "close" allows one edit per three
 * characters of the longer name, at most three, so `tv` suggests nothing rather than `ai`.
 * Ties go to the earlier candidate.
 */
export function suggest(name: string, candidates: Iterable<string>): string | undefined {
  const norm = (s: string) => s.toLowerCase().replace(/-/g, '_');
  const wanted = norm(name);
  let best: string | undefined;
  let bestDistance = Infinity;
  for (const candidate of candidates) {
    if (candidate === name) continue;
    const c = norm(candidate);
    const limit = Math.min(3, Math.max(1, Math.floor(Math.max(wanted.length, c.length) / 3)));
    const d = editDistance(wanted, c);
    if (d <= limit && d < bestDistance) {
      best = candidate;
      bestDistance = d;
    }
  }
  return best;
}

/** " (did you mean X?)" or "", to append to an error message. */
export function didYouMean(name: string, candidates: Iterable<string>): string {
  const s = suggest(name, candidates);
  return s === undefined ? '' : ` (did you mean ${s}?)`;
}
