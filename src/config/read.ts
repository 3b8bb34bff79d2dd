import { constants, promises as fsp } from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { parseDocument } from 'yaml';
import { UsageError } from '../core/errors.js';

// Reading one config file, bounded before anything is expanded: a regular file of at most
// MAX_CONFIG_BYTES, and YAML whose aliases may not multiply it (a "billion laughs" file is a few
// hundred bytes that expand to gigabytes). Data files are parsed, never evaluated.

/** Config files are a few hundred bytes; a megabyte is already absurd. */
export const MAX_CONFIG_BYTES = 1024 * 1024;
/** The `yaml` package's guard: aliases resolved, weighted by their size, before it refuses. */
export const MAX_YAML_ALIASES = 100;

/** The file's text, or undefined when there is nothing to read there (absent, or a directory while searching). */
export async function readConfigText(file: string, named: boolean): Promise<string | undefined> {
  let handle: fsp.FileHandle;
  try {
    // O_NONBLOCK: opening a FIFO planted under a config name must not hang the run.
    handle = await fsp.open(file, constants.O_RDONLY | constants.O_NONBLOCK);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'ENOENT' || code === 'ENOTDIR') {
      if (named) throw new UsageError(`config file not found: ${file}`);
      return undefined;
    }
    throw new UsageError(`cannot read config ${file}: ${code === 'EACCES' ? 'permission denied' : ((err as Error).message ?? code)}`);
  }
  try {
    const stat = await handle.stat();
    if (stat.isDirectory() && !named) return undefined;
    if (!stat.isFile()) throw new UsageError(`config ${file} is not a regular file`);
    if (stat.size > MAX_CONFIG_BYTES) throw tooBig(file);
    // Read at most one byte past the cap: a file that grows after the stat is still refused.
    const buf = Buffer.alloc(MAX_CONFIG_BYTES + 1);
    let length = 0;
    for (;;) {
      const { bytesRead } = await handle.read(buf, length, buf.length - length, null);
      if (bytesRead === 0) break;
      length += bytesRead;
      if (length > MAX_CONFIG_BYTES) throw tooBig(file);
    }
    return buf.toString('utf8', 0, length).replace(/^\uFEFF/, '');
  } finally {
    await handle.close();
  }
}

function tooBig(file: string): UsageError {
  return new UsageError(`config ${file} is larger than ${MAX_CONFIG_BYTES / 1024 / 1024} MiB: refusing to read it (a config file is a few lines)`);
}

/**
 * Pure: the parsed content. `package.json` yields its `mbuzz` key (undefined when it has none, so
 * the search goes on); `.json` is JSON; anything else is YAML (which also reads JSON).
 */
export function parseConfigText(file: string, text: string): unknown {
  const base = path.basename(file);
  if (base === 'package.json') {
    const pkg = parseJson(file, text) as Record<string, unknown> | null;
    return pkg !== null && typeof pkg === 'object' ? pkg.mbuzz : undefined;
  }
  if (text.trim() === '') return null;
  if (path.extname(file).toLowerCase() === '.json') return parseJson(file, text);
  return parseYaml(file, text);
}

function parseJson(file: string, text: string): unknown {
  try {
    return JSON.parse(text);
  } catch (err) {
    // V8: "... in JSON at position N" (newer versions add "(line L column C)"); users want the line.
    const message = (err as Error).message.replace(/ \(line \d+ column \d+\)$/, '');
    const pos = /at position (\d+)/.exec(message)?.[1];
    const line = pos === undefined ? undefined : text.slice(0, Number(pos)).split('\n').length;
    throw new UsageError(`cannot read config ${file}${line ? ` (line ${line})` : ''}: ${message}`);
  }
}

function parseYaml(file: string, text: string): unknown {
  // merge: `<<: *defaults` is the usual way to share settings between profiles.
  const doc = parseDocument(text, { merge: true, prettyErrors: true });
  const error = doc.errors[0];
  if (error) {
    const reason = error.message.split('\n')[0]!.replace(/ at line \d+, column \d+:?$/, '');
    const line = error.linePos?.[0]?.line;
    throw new UsageError(`cannot read config ${file}${line ? ` (line ${line})` : ''}: ${reason}`);
  }
  try {
    return doc.toJS({ maxAliasCount: MAX_YAML_ALIASES });
  } catch (err) {
    if (err instanceof ReferenceError && /alias/i.test(err.message)) {
      throw new UsageError(`config ${file}: its YAML aliases expand too far (a "billion laughs" file?): refusing it`);
    }
    throw new UsageError(`cannot read config ${file}: ${(err as Error).message.split('\n')[0]}`);
  }
}

/** A JavaScript config the user named: its default export. Callers check ownership first. */
export async function importConfigCode(file: string): Promise<unknown> {
  if (/\.[cm]?ts$/i.test(file)) throw new UsageError(`config ${file}: TypeScript config is not supported (compile it to .mjs, or use YAML or JSON)`);
  try {
    const mod = (await import(pathToFileURL(file).href)) as { default?: unknown };
    return mod.default;
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'ERR_MODULE_NOT_FOUND' || code === 'ENOENT') throw new UsageError(`config file not found: ${file}`);
    throw new UsageError(`cannot load config ${file}: ${String((err as Error).message ?? err).split('\n')[0]}`);
  }
}
