import { IntegrityError } from '../../core/errors.js';
import type { Row } from '../../core/columns.js';
import { quotable } from '../../core/secrets.js';
import { JsonDepthError } from '../../json/depth.js';
import { isJsonNumber, safeInteger } from '../../json/number.js';
import { parseJson } from '../../json/parse.js';
import { stringifyExact } from '../../json/stringify.js';

// The raw export's body: one {"event","properties":{time,distinct_id,$insert_id,…}} per line.
// Lines are read one at a time off the body and handed on in batches, so a day's events are
// never all parsed objects at once.

/** The last non-blank line parses: a body cut mid-line is caught before any row leaves. */
export function checkJsonlEnd(text: string): string | undefined {
  let end = text.length;
  while (end > 0 && /\s/.test(text[end - 1] as string)) end--;
  if (end === 0) return undefined;
  const start = text.lastIndexOf('\n', end - 1) + 1;
  try {
    JSON.parse(text.slice(start, end));
    return undefined;
  } catch {
    return `the last line of the JSONL body is not JSON (${end} bytes: cut short?)`;
  }
}

export function countJsonlLines(text: string): number {
  let n = 0;
  for (const line of lines(text)) if (line.text !== '') n++;
  return n;
}

function* lines(text: string): Generator<{ text: string; number: number }> {
  let start = 0;
  for (let number = 1; start < text.length; number++) {
    let end = text.indexOf('\n', start);
    if (end < 0) end = text.length;
    yield { text: text.slice(start, end).trim(), number };
    start = end + 1;
  }
}

/** One export line to a row: time, distinct_id and $insert_id lifted out, the rest kept as properties. */
export function exportRow(line: string, where: string): Row {
  let parsed: unknown;
  try {
    parsed = parseJson(line);
  } catch (err) {
    if (err instanceof JsonDepthError) throw new IntegrityError(`${where} ${err.message}, more than any real event; refused`);
    throw new IntegrityError(`${where} is not JSON: ${quotable(line, 80)}`);
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) throw new IntegrityError(`${where} is not a JSON object`);
  const { event, properties } = parsed as { event?: unknown; properties?: unknown };
  if (typeof event !== 'string') throw new IntegrityError(`${where} has no "event" name`);
  if (typeof properties !== 'object' || properties === null || Array.isArray(properties)) throw new IntegrityError(`${where} has no "properties" object`);
  const { time, distinct_id, $insert_id, ...rest } = properties as Record<string, unknown>;
  const seconds = safeInteger(time);
  if (seconds === undefined) throw new IntegrityError(`${where}: properties.time is ${stringifyExact(time) ?? 'missing'}, not whole seconds`);
  // An $insert_id that is not text stays with the other properties rather than being lost.
  if ($insert_id !== undefined && typeof $insert_id !== 'string') rest.$insert_id = $insert_id;
  return {
    event,
    time: seconds,
    // A JsonNumber id prints its digits (String), a structured one its exact JSON.
    distinct_id: distinct_id === undefined || distinct_id === null ? null : typeof distinct_id === 'object' && !isJsonNumber(distinct_id) ? stringifyExact(distinct_id)! : String(distinct_id),
    insert_id: typeof $insert_id === 'string' ? $insert_id : null,
    properties: rest,
  };
}

/** Rows of a JSONL body in `size`-row batches, each row checked by `check` (e.g. its time). */
export function* jsonlBatches(text: string, size: number, label: string, check?: (row: Row, where: string) => void): Generator<Row[]> {
  let batch: Row[] = [];
  for (const line of lines(text)) {
    if (line.text === '') continue;
    const where = `${label}, line ${line.number}`;
    const row = exportRow(line.text, where);
    check?.(row, where);
    batch.push(row);
    if (batch.length >= size) {
      yield batch;
      batch = [];
    }
  }
  if (batch.length > 0) yield batch;
}
