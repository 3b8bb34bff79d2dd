import type { Env } from '../../cli/env.js';
import type { ExitCode } from '../../cli/errors.js';
import { UsageError } from '../../cli/errors.js';
import { createProgress, formatDuration, type Progress } from '../../cli/progress.js';
import { loadConfig } from '../../config/load.js';
import { resolveExport } from '../../config/resolve.js';
import { utcToday } from '../../dates.js';
import { HttpClient } from '../../http/client.js';
import { findDataset } from '../../providers/registry.js';
import type { ExportOptions } from '../../providers/types.js';
import type { Row } from '../../schema/types.js';
import { openFileSink, stdoutSink, writerFor } from '../../writers/index.js';
import type { Output } from '../../writers/types.js';
import type { ExportFlags } from './options.js';

export async function runExport(flags: ExportFlags, env: Env): Promise<ExitCode> {
  const started = Date.now();
  const dataset = findDataset(flags.dataset);
  const loaded = await loadConfig({ cwd: env.cwd, home: env.home, file: env.vars.MBUZZ_CONFIG });
  const options = resolveExport({ dataset, flags, config: loaded.config, configFile: loaded.file, vars: env.vars, today: utcToday(env.now()) });
  if (!options.quiet) for (const w of [...loaded.warnings, ...options.warnings]) env.stderr.write(`mbuzz: warning: ${w}\n`);
  if (options.output === undefined && options.format === 'parquet' && env.stdoutIsTTY) {
    throw new UsageError('refusing to write Parquet to a terminal: give -o FILE.parquet or pipe it');
  }

  // The output is opened (and its directory checked) before the first request goes out.
  const out: Output = options.output !== undefined ? await openFileSink(options.output, { gzip: options.gzip }) : stdoutSink(env.stdout, { gzip: options.gzip });
  const secrets = Object.entries(options.credentials)
    .filter(([name]) => options.dataset.credentials.find((c) => c.name === name)?.secret)
    .map(([, v]) => v);
  const progress = createProgress(env, {
    enabled: options.progress && !options.quiet && !options.verbose,
    label: options.dataset.name,
  });
  const client = new HttpClient({
    fetch: env.fetch,
    sleep: env.sleep,
    random: env.random,
    now: env.now,
    signal: env.signal,
    timeoutMs: options.timeoutMs,
    backoff: { retries: options.retries },
    secrets,
    maxInFlight: options.concurrency,
    log: options.verbose ? (line) => env.stderr.write(`mbuzz: ${line}\n`) : undefined,
  });

  let written: number;
  try {
    const batches = options.dataset.run({ options, client, observer: progress, signal: env.signal });
    written = await writerFor(options.format)(rowsOf(batches, options.maxRows, progress), out.sink, {
      columns: options.columns,
      passThrough: !options.projected,
    });
    await out.commit();
  } catch (err) {
    progress.stop();
    await out.abort();
    throw err;
  }
  progress.stop();
  if (!options.quiet) env.stderr.write(`mbuzz: ${summary(options, written, client, progress, Date.now() - started)}\n`);
  return 0;
}

/** Batches to single rows, stopping at --max-rows (which also stops the fetching). */
async function* rowsOf(batches: AsyncIterable<Row[]>, maxRows: number | undefined, progress: Progress): AsyncGenerator<Row> {
  let left = maxRows ?? Infinity;
  for await (const batch of batches) {
    const take = batch.length <= left ? batch : batch.slice(0, left);
    progress.rows(take.length);
    for (const row of take) yield row;
    left -= take.length;
    if (left <= 0) return;
  }
}

function summary(options: ExportOptions, rows: number, client: HttpClient, progress: Progress, ms: number): string {
  const days = options.from === options.to ? options.from : `${options.from}..${options.to}`;
  const where = options.output ?? 'stdout';
  const retries = client.stats.retries ? `, ${client.stats.retries} retries` : '';
  const capped = options.maxRows !== undefined && rows >= options.maxRows ? ' (stopped at --max-rows)' : '';
  return `${rows.toLocaleString('en-US')} rows${capped} of ${options.dataset.name} ${days} (${progress.windowsDone} windows, ${client.stats.requests} requests${retries}) -> ${where} [${options.format}] in ${formatDuration(ms / 1000)}`;
}
