import { BusyError, UsageError } from '../../core/errors.js';
import { busy, currentHolder, holdResource, isStale, type LockHolder } from '../../core/lock.js';
import { CLAIM_PREFIX, claimName, describeDays, overlaps, parseClaimName, type DayRange } from '../claims.js';
import type { S3Store } from './store.js';

// Claims on S3 (../claims.ts), where there is no lock to check and write under, only PUT, LIST
// and S3's strong read-after-write consistency (AWS since 2020; MinIO, R2 and Ceph alike). So a
// run first PUTs its own claim (a key no one else uses), then LISTs the claims: any other live
// claim on one of its days and it withdraws (exit 75). Two runs of the same days can never both
// go on: each would have listed before the other's PUT, yet after its own, which is impossible
// in one consistent order. (Both may withdraw, if they start within a few milliseconds of each
// other: safe, and the retry finds the days free.)
//
// A run killed with -9 cannot delete its claim, and a worker on another machine cannot be asked
// whether it still runs. So a claim is a lease: its run PUTs it again every minute, and one that
// S3's own clock (LastModified, compared with that of the claim just written: no two machines'
// clocks are compared) has not seen renewed for five minutes is taken over. A holder on this
// machine whose process is gone is taken over at once.

export const LEASE_MS = 5 * 60_000;
export const RENEW_MS = 60_000;

/**
 * Claims the days; returns the check a commit makes first: that the claim is still this run's
 * (a renewal that kept failing lets another run take it over after LEASE_MS, and both would then
 * publish the same days). Failing it is exit 75, before anything of this run is visible.
 */
export async function claimOnS3(store: S3Store, prefix: string, days: DayRange, what: string, note: (line: string) => void): Promise<() => Promise<void>> {
  const me = currentHolder();
  const key = prefix + claimName(days, me.nonce, 'json');
  const body = `${JSON.stringify({ ...me, days })}\n`;
  await store.writeText(key, body, 'application/json');
  let timer: NodeJS.Timeout | undefined;
  const release = async () => {
    clearInterval(timer);
    await store.delete(key).catch(() => undefined);
  };
  try {
    const { objects } = await store.listObjects(prefix + CLAIM_PREFIX);
    const mine = objects.find((o) => o.key === key);
    if (!mine) throw new UsageError(`${store.url(prefix)}: the store does not list the claim ${store.url(key)} just written, so two runs could not be kept apart (mbuzz needs S3's read-after-write consistency)`);
    for (const o of objects) {
      const other = o.key === key ? undefined : parseClaimName(o.key.slice(prefix.length));
      if (!other || !overlaps(other.days, days)) continue;
      const holder = parseHolder(await store.readText(o.key));
      if (!holder) continue; // released meanwhile, or no claim of ours
      const lapsed = o.modified < mine.modified - LEASE_MS;
      if (!lapsed && !isStale(holder)) throw busy(what, store.url(o.key), holder, describeDays(other.days));
      await store.delete(o.key);
      const why = lapsed ? `not renewed since ${new Date(o.modified).toISOString()}` : 'which is no longer running';
      note(`took over the claim ${store.url(o.key)} of an earlier run (pid ${holder.pid}, started ${holder.startedAt}), ${why}`);
    }
  } catch (err) {
    await release();
    throw err;
  }
  // a renewal that fails is tried again at the next tick; confirm() below tells whether it mattered
  timer = setInterval(() => void store.writeText(key, body, 'application/json').catch(() => undefined), RENEW_MS);
  timer.unref();
  holdResource(release);
  const confirm = async () => {
    if ((await store.readText(key).catch(() => undefined)) !== body) {
      throw new BusyError(`${what}: this run's claim ${store.url(key)} on ${describeDays(days)} is gone (not renewed in time and taken over by another run): nothing of this run was published; run it again`);
    }
  };
  // Nobody else writes these days now: the parts a run killed with -9 left of their uploads go.
  const dayOf = (k: string) => /^date=(\d{4}-\d{2}-\d{2})\//.exec(k.slice(prefix.length))?.[1];
  await store.abortUnfinished(`${prefix}date=`, (k) => {
    const d = dayOf(k);
    return d !== undefined && d >= days.from && d <= days.to;
  }, `${store.url(prefix)} (${describeDays(days)})`);
  return confirm;
}

function parseHolder(text: string | undefined): LockHolder | undefined {
  if (text === undefined) return undefined;
  try {
    const h = JSON.parse(text) as LockHolder;
    return Number.isSafeInteger(h.pid) && typeof h.hostname === 'string' && typeof h.startedAt === 'string' ? h : undefined;
  } catch {
    return undefined;
  }
}
