import { join } from 'node:path';
import { promises as fsp } from 'node:fs';
import type { Env } from '../../cli/env.js';
import { UsageError, type ExitCode } from '../../cli/errors.js';
import { loadConfig } from '../../config/load.js';
import { resolveExport } from '../../config/resolve.js';
import { utcToday } from '../../dates.js';
import { exportOne, type ExportResult } from '../../export/export-one.js';
import { writeManifest, type ManifestDataset } from '../../export/manifest.js';
import { completeThrough, loadState, saveState, stateKey, stateWindow } from '../../export/state.js';
import { DATASETS, findDataset } from '../../providers/registry.js';
import type { ExportOptions } from '../../providers/types.js';
import { maskText, stripControls } from '../../secrets.js';
import type { ExportFlags } from './options.js';
import { tableName } from '../schema/ddl.js';

/**
 * `mbuzz export <dataset>` and `mbuzz export all`: each dataset resolved (defaults < profile <
 * env < flags, plus --state's window), exported, then the state advanced and the manifest written.
 */
export async function runExport(flags: ExportFlags, env: Env): Promise<ExitCode> {
  const startedAt = env.now();
  const today = utcToday(startedAt);
  const loaded = await loadConfig({ cwd: env.cwd, home: env.home, file: env.vars.MBUZZ_CONFIG });
  const quiet = flags.quiet === true;
  const said = new Set<string>();
  const say = (line: string) => {
    // Lines may quote a file or a server: no control character reaches the terminal (secrets: env.ts masks stderr).
    if (!quiet && !said.has(line)) env.stderr.write(`mbuzz: ${stripControls(line)}\n`);
    if (line.startsWith('warning:')) said.add(line);
  };
  for (const w of loaded.warnings) say(`warning: ${w}`);

  const multi = flags.dataset === 'all';
  if (flags.datasets && !multi) throw new UsageError('--datasets goes with `mbuzz export all`');
  const datasets = multi ? (flags.datasets ?? DATASETS.filter((d) => d.provider === 'mbuzz').map((d) => d.name)).map(findDataset) : [findDataset(flags.dataset)];
  if (multi && flags.output === undefined) throw new UsageError('`mbuzz export all` needs -o DIR');
  if (flags.state !== undefined && flags.rangeDays !== undefined) throw new UsageError('--state decides the dates itself: drop --range');
  if (flags.lookback !== undefined && flags.state === undefined) throw new UsageError('--lookback goes with --state');
  if (multi) await ensureDir(flags.output!);
  const state = flags.state !== undefined ? await loadState(flags.state) : undefined;

  const results: ExportResult[] = [];
  for (const dataset of datasets) {
    const resolve = (f: ExportFlags): ExportOptions => resolveExport({ dataset, flags: f, config: loaded.config, configFile: loaded.file, vars: env.vars, today });
    let f: ExportFlags = { ...flags, dataset: dataset.name };
    if (multi) {
      const format = resolve({ ...f, output: undefined }).format;
      f = { ...f, output: join(flags.output!, flags.partitionBy ? tableName(dataset.name) : `${tableName(dataset.name)}.${format}`), format };
    }
    let key: string | undefined;
    if (state) {
      const probe = resolve(f);
      key = stateKey({ dataset: dataset.name, profile: probe.profileName, baseUrl: probe.baseUrl, channels: probe.channels, funnel: probe.funnel, params: probe.params });
      const w = stateWindow(state.entries[key], { from: flags.from, to: flags.to, today, lookback: flags.lookback ?? 0, defaultDays: 30 });
      if (w.from > w.to) {
        say(`${dataset.name} is up to date through ${state.entries[key]?.lastCompleteDay ?? w.to} (nothing before today left to export)`);
        continue;
      }
      f = { ...f, from: w.from, to: w.to };
    }
    const options = resolve(f);
    for (const w of options.warnings) say(`warning: ${w}`);
    results.push(await exportOne(options, { env, say, resume: flags.resume === true, partitionBy: flags.partitionBy }));
    if (state && key) {
      state.entries[key] = { lastCompleteDay: completeThrough(options.to, today), updatedAt: env.now().toISOString(), dataset: dataset.name, profile: options.profileName };
      await saveState(flags.state!, state);
    }
  }

  const manifestPath = multi || flags.partitionBy ? join(flags.output!, '_manifest.json') : flags.manifest ? `${results[0]?.options.output ?? ''}.manifest.json` : undefined;
  if (manifestPath !== undefined && results.length > 0) {
    if (!results[0]!.options.output) throw new UsageError('--manifest needs -o FILE');
    const secrets = results.flatMap((r) => Object.values(r.options.credentials));
    await writeManifest(manifestPath, {
      args: env.argv.map((a) => maskText(a, secrets)),
      startedAt: startedAt.toISOString(),
      finishedAt: env.now().toISOString(),
      datasets: results.map((r) => manifestEntry(r, today)),
    });
  }
  return 0;
}

function manifestEntry(r: ExportResult, today: string): ManifestDataset {
  const o = r.options;
  const openDays = r.windows.filter((w) => w.open || w.to >= today).map((w) => (w.from === w.to ? w.from : `${w.from}..${w.to}`));
  return {
    dataset: o.dataset.name,
    from: o.from,
    to: o.to,
    format: o.format,
    rows: r.rows,
    apiTotal: r.windows.reduce((n, w) => n + w.received, 0),
    windows: r.windows,
    openDays,
    files: r.files,
  };
}

async function ensureDir(dir: string): Promise<void> {
  const st = await fsp.stat(dir).catch(() => undefined);
  if (st?.isDirectory()) return;
  if (st) throw new UsageError(`-o ${dir} must be a directory for \`mbuzz export all\``);
  await fsp.mkdir(dir).catch((err: unknown) => {
    throw new UsageError(`cannot create ${dir}: ${(err as Error).message}`);
  });
}
