import { writeFileAtomic } from './safe-files.js';
import { maskText } from './secrets.js';
import { VERSION } from './version.js';

// `--report FILE|-`: one JSON document when the run ends, whatever the outcome. The command fills
// it in as it goes (commands/export adds its datasets); cli/main.ts, the one place that knows the
// exit code, finishes and writes it. Everything in it is masked on the way out: the arguments
// (registered secrets, URL passwords, the value of a secret flag even if the run never got as far
// as reading it) and, again, the whole document.

export const REPORT_SCHEMA = 1;

/** Flags whose value is a secret whatever else is known: masked in the report's arguments. */
const SECRET_FLAGS = ['--api-key'];

export interface RunOutcome {
  exitCode: number;
  /** The one line main printed (without `mbuzz: `), or null for a clean exit. */
  reason: string | null;
}

export class RunReport {
  /** A file, or `-` for stderr; undefined when no report was asked for (or its path was refused). */
  path?: string;
  private readonly parts: Array<() => Record<string, unknown>> = [];
  /** Elapsed time on the monotonic clock: MBUZZ_NOW pins the wall clock the times are read from. */
  private readonly started = performance.now();

  constructor(
    readonly argv: readonly string[],
    readonly startedAt: Date,
  ) {}

  /** A part of the document, read when the run ends (so it holds the final counts). */
  add(part: () => Record<string, unknown>): void {
    this.parts.push(part);
  }

  document(outcome: RunOutcome, finishedAt: Date): Record<string, unknown> {
    const doc: Record<string, unknown> = {
      tool: 'mbuzz',
      version: VERSION,
      schema: REPORT_SCHEMA,
      command: this.argv.find((a) => !a.startsWith('-')) ?? null,
      args: maskArgs(this.argv),
      startedAt: this.startedAt.toISOString(),
      finishedAt: finishedAt.toISOString(),
      durationMs: Math.round(performance.now() - this.started),
      exitCode: outcome.exitCode,
      outcome: OUTCOMES[outcome.exitCode] ?? 'failed',
      reason: outcome.reason,
    };
    for (const part of this.parts) Object.assign(doc, part());
    return doc;
  }
}

/** What each exit code means, for a scheduler that reads words rather than numbers. */
const OUTCOMES: Readonly<Record<number, string>> = {
  0: 'ok',
  1: 'unexpected',
  2: 'usage',
  3: 'auth',
  4: 'rejected',
  5: 'server',
  6: 'integrity',
  75: 'busy',
  129: 'hangup',
  130: 'interrupted',
  143: 'terminated',
};

/** The command line with secrets masked: registered values, URL passwords, and secret flags' values. */
export function maskArgs(argv: readonly string[]): string[] {
  const out: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    const flag = SECRET_FLAGS.find((f) => arg === f || arg.startsWith(`${f}=`));
    if (flag && arg === flag && i + 1 < argv.length) {
      out.push(arg, '****');
      i++;
    } else if (flag && arg !== flag) out.push(`${flag}=****`);
    else out.push(maskText(arg));
  }
  return out;
}

/**
 * The report as text: masked whole (a server's message quoted in `reason` may carry a key it
 * echoed). `-` writes it as one line, so `--log-format json` stderr stays one JSON value a line.
 */
export function renderReport(doc: Record<string, unknown>, oneLine: boolean): string {
  return `${maskText(oneLine ? JSON.stringify(doc) : JSON.stringify(doc, null, 2))}\n`;
}

/** Writes the report: a file atomically (temp, fsync, rename), or one line on `stderr`. */
export async function writeRunReport(path: string, doc: Record<string, unknown>, stderr: NodeJS.WritableStream): Promise<void> {
  if (path === '-') {
    stderr.write(renderReport(doc, true));
    return;
  }
  await writeFileAtomic(path, renderReport(doc, false));
}
