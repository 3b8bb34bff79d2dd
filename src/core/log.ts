import { stripControls } from './secrets.js';

// Every line mbuzz writes on stderr goes through the one Log of that stream: warnings, notes, the
// summary, the error line of cli/main.ts, --verbose request lines. Its format is a property of the
// stream, set once from --log-format: `text` is `mbuzz: <msg>` for people; `json` is one object a
// line ({"level","msg","time",...fields}) for a scheduler or a log shipper, so nothing has to parse
// prose. Secrets are not this file's concern: cli/system-env.ts masks every write to stderr.

export const LOG_FORMATS = ['text', 'json'] as const;
export type LogFormat = (typeof LOG_FORMATS)[number];

/** error: the run failed (main's one line); warning; info: notes and the summary; debug: --verbose. */
export type LogLevel = 'error' | 'warning' | 'info' | 'debug';

/** Structured details of a line, for the json format (text shows only the message). */
export type LogFields = Readonly<Record<string, string | number | boolean | null | undefined | readonly unknown[] | Readonly<Record<string, unknown>>>>;

export interface Log {
  format: LogFormat;
  write(level: LogLevel, msg: string, fields?: LogFields): void;
}

/** The fields a json line always has; a field of the same name from a caller cannot replace them. */
const RESERVED = new Set(['level', 'msg', 'time']);

class StreamLog implements Log {
  format: LogFormat = 'text';

  constructor(
    private readonly stream: NodeJS.WritableStream,
    private readonly now: () => Date,
  ) {}

  write(level: LogLevel, msg: string, fields?: LogFields): void {
    // One line whatever the message quotes (a server, a file name): no control character or newline.
    const text = stripControls(msg);
    if (this.format === 'text') {
      this.stream.write(`mbuzz: ${level === 'warning' ? 'warning: ' : ''}${text}\n`);
      return;
    }
    const line: Record<string, unknown> = { level, msg: text, time: this.now().toISOString() };
    for (const [k, v] of Object.entries(fields ?? {})) if (v !== undefined && !RESERVED.has(k)) line[k] = v;
    this.stream.write(`${JSON.stringify(line)}\n`);
  }
}

const logs = new WeakMap<NodeJS.WritableStream, Log>();

/**
 * The Log of `stream`: one per stream, so the format --log-format sets (cli/program.ts) holds for
 * every writer of that stream, however it reached it. `now` stamps json lines (the first caller's).
 */
export function streamLog(stream: NodeJS.WritableStream, now: () => Date = () => new Date()): Log {
  let log = logs.get(stream);
  if (!log) logs.set(stream, (log = new StreamLog(stream, now)));
  return log;
}

/** A line as said by the pipeline (`warning: …`, a note, the summary): its level and message. */
export function levelOf(line: string): { level: LogLevel; msg: string } {
  return line.startsWith('warning: ') ? { level: 'warning', msg: line.slice('warning: '.length) } : { level: 'info', msg: line };
}

export function isLogFormat(value: string): value is LogFormat {
  return (LOG_FORMATS as readonly string[]).includes(value);
}
