import { IntegrityError, UsageError } from '../../core/errors.js';
import { toEpochDay } from '../../core/dates.js';
import { errorMessage, type HttpClient } from '../../http/client.js';
import type { HttpResponse } from '../../http/transport.js';
import { DateBlockPaginator, type DateBlock } from '../../paginate/date-blocks.js';
import { drive } from '../../paginate/drive.js';
import type { Row } from '../../core/columns.js';
import { inWindow, type WindowRows } from '../../core/window-rows.js';
import type { ExportContext, ExportOptions } from '../types.js';
import { exportBase } from './hosts.js';
import { checkJsonlEnd, countJsonlLines, jsonlBatches } from './jsonl.js';
import { Params } from './params.js';

// The raw event export: GET https://data.mixpanel.com/api/2.0/export?from_date&to_date (inclusive,
// in the project's time zone), JSONL back, HTTP Basic auth. There is no cursor, so the range
// is cut into date blocks, one request each, read in date order. Mixpanel allows 60 of these
// an hour: a 429 is waited out when the server says how long and that is short, and otherwise
// fails the run (exit 4) rather than hammering an hourly quota.

const BATCH_ROWS = 5_000;
const DAY_S = 86_400;

export interface ExportAuth {
  /** The Authorization header. */
  authorization: string;
  /** Sent as project_id (required with a service account). */
  projectId?: string;
  kind: 'service account' | 'project secret';
}

/** A service account (preferred) or the project secret; a usage error when neither is complete. */
export function exportAuth(credentials: Readonly<Record<string, string>>): ExportAuth {
  const { username, secret, projectId, apiSecret } = credentials;
  const basic = (user: string, pass: string) => `Basic ${Buffer.from(`${user}:${pass}`, 'utf8').toString('base64')}`;
  if (username !== undefined || secret !== undefined) {
    const missing = [username === undefined && 'MIXPANEL_SERVICE_ACCOUNT_USERNAME', secret === undefined && 'MIXPANEL_SERVICE_ACCOUNT_SECRET', projectId === undefined && 'MIXPANEL_PROJECT_ID'].filter(Boolean);
    if (missing.length) throw new UsageError(`a Mixpanel service account needs a username, a secret and a project id: set ${missing.join(', ')} (or profile keys username, password, project_id)`);
    return { authorization: basic(username!, secret!), projectId, kind: 'service account' };
  }
  if (apiSecret !== undefined) return { authorization: basic(apiSecret, ''), projectId, kind: 'project secret' };
  throw new UsageError(
    'no credentials for mixpanel:export: set MIXPANEL_SERVICE_ACCOUNT_USERNAME, MIXPANEL_SERVICE_ACCOUNT_SECRET and MIXPANEL_PROJECT_ID (a service account), or MIXPANEL_API_SECRET (the project secret)',
  );
}

export function exportUrl(baseUrl: string, block: DateBlock, auth: Pick<ExportAuth, 'projectId'>, p: Params): string {
  const url = new URL(`${exportBase(baseUrl)}/api/2.0/export`);
  const sp = url.searchParams;
  sp.set('from_date', block.from);
  sp.set('to_date', block.to);
  if (auth.projectId !== undefined) sp.set('project_id', auth.projectId);
  const events = p.list('event');
  if (events.length) sp.set('event', JSON.stringify(events));
  const where = p.optional('where');
  if (where !== undefined) sp.set('where', where);
  return url.toString();
}

/** JSON bodies ({"error":…}) and short text bodies are quoted; HTML pages are not. */
function describeExportError(res: HttpResponse): { message?: string } {
  const json = errorMessage(res.body);
  if (json !== undefined) return { message: json };
  const text = res.body.trim();
  return text && text.length <= 300 && !text.startsWith('<') ? { message: text } : {};
}

/**
 * Events must fall in the block asked for, give or take a day for the project's time zone: a
 * server that ignores from_date/to_date would otherwise hand back the same events for every
 * block and the file would silently hold each one many times.
 */
function timeCheck(block: DateBlock): (row: Row, where: string) => void {
  const lo = (toEpochDay(block.from) - 1) * DAY_S;
  const hi = (toEpochDay(block.to) + 2) * DAY_S;
  return (row, where) => {
    const t = row.time as number;
    if (t < lo || t >= hi) {
      throw new IntegrityError(
        `${where}: event at ${new Date(t * 1000).toISOString()} is outside the days asked for (${block.from}..${block.to}, ±1 day for the project's time zone): the server did not honour from_date/to_date; stopped`,
      );
    }
  };
}

export function exportBlocks(options: Pick<ExportOptions, 'from' | 'to' | 'today' | 'params'>): DateBlockPaginator {
  const days = new Params(options.params).count('days_per_request', 366) ?? 1;
  // Nothing has happened after today; the server may refuse a to_date in the future.
  const to = options.to < options.today ? options.to : options.today;
  return new DateBlockPaginator(options.from, to, days);
}

export async function* runExport(ctx: ExportContext): AsyncGenerator<WindowRows> {
  const { options, client, observer } = ctx;
  const auth = exportAuth(options.credentials);
  client.addSecret(auth.authorization.slice('Basic '.length));
  const p = new Params(options.params);
  const paginator = exportBlocks(options);
  observer.plan(paginator.blocks);
  const fetchBlock = async (block: DateBlock) => {
    const res = await fetchText(client, exportUrl(options.baseUrl, block, auth, p), auth.authorization);
    return { rows: [], json: { block, text: res } };
  };
  for await (const page of drive(paginator, fetchBlock, { what: 'mixpanel:export date blocks' })) {
    const { block, text } = page.json as { block: DateBlock; text: string };
    const label = block.from === block.to ? block.from : `${block.from}..${block.to}`;
    let rows = 0;
    const window = { from: block.from, to: block.to };
    for (const batch of jsonlBatches(text, BATCH_ROWS, `export ${label}`, timeCheck(block))) {
      rows += batch.length;
      yield inWindow(window, batch);
    }
    observer.windowDone(label, rows);
  }
}

export async function fetchText(client: HttpClient, url: string, authorization: string): Promise<string> {
  const res = await client.text({
    method: 'GET',
    url,
    headers: { authorization, accept: 'text/plain' },
    validate: checkJsonlEnd,
    countRows: countJsonlLines,
    describeError: describeExportError,
  });
  return res.text;
}
