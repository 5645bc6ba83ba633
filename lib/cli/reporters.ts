/**
 * How a batch shows on the command line: a progress bar on a terminal, one
 * line per file otherwise (`processed: <output>` on stdout, `failed:
 * <input>: <reason>` on stderr, as the Python script offloop grew from
 * printed them), or JSON lines on stdout. Each reads the same per-file
 * results, so any source of results (the local pool, a queue) can drive
 * them. Paths and reasons in plain text are escaped (text.ts): one line per
 * file, whatever the names.
 */
import cliProgress from 'cli-progress';

import type { GrayscaleFilesResult } from '../files/batch-types.js';
import type { CommandIo } from './command.js';
import type { Tally } from './tally.js';
import { escapeText, reasonOf } from './text.js';

export interface Reporter {
  /** The number of files, once known (possibly after the first results). */
  setTotal(total: number): void;
  /** One file's result, already added to the tally. */
  file(result: GrayscaleFilesResult, tally: Tally): void;
  /** The end: the summary (and the failures, where not shown yet). */
  end(tally: Tally, interruptedBy?: string): void;
  /** The end of a batch that failed as a whole before any file's result: the bar goes, nothing is summed up. */
  abandon(): void;
  /** Something the user should know that is no file's result (`offloop: <text>` on stderr; a JSON line with --json). */
  warning(text: string): void;
}

export type ReporterKind = 'bar' | 'lines' | 'json';

export function createReporter(kind: ReporterKind, io: CommandIo, quiet: boolean): Reporter {
  if (kind === 'json') return jsonReporter(io);
  if (kind === 'bar') return barReporter(io);
  return linesReporter(io, quiet);
}

function jsonReporter(io: CommandIo): Reporter {
  return {
    setTotal() {},
    file(result) {
      let line: Record<string, unknown>;
      if (result.error !== undefined) {
        const { code } = result.error as { code?: string };
        line = {
          type: 'file',
          status: 'failed',
          input: String(result.input),
          error: { code: code ?? null, message: reasonOf(result.error, String(result.input)) },
        };
      } else if (result.skipped) {
        line = { type: 'file', status: 'skipped', input: result.input, output: result.output };
      } else {
        const { input, output, width, height, format, bytesIn, bytesOut, ms } = result;
        line = {
          type: 'file',
          status: 'processed',
          input,
          output,
          width,
          height,
          format,
          bytesIn,
          bytesOut,
          ms: Number(ms.toFixed(3)),
        };
      }
      io.stdout.write(`${JSON.stringify(line)}\n`);
    },
    end(tally, interruptedBy) {
      io.stdout.write(`${JSON.stringify(tally.summaryObject(interruptedBy))}\n`);
    },
    abandon() {},
    warning(text) {
      io.stdout.write(`${JSON.stringify({ type: 'warning', message: text })}\n`);
    },
  };
}

/** `failed: <input>: <reason>`, escaped. */
function failedLine(input: string, reason: string): string {
  return `failed: ${escapeText(input)}: ${escapeText(reason)}\n`;
}

function linesReporter(io: CommandIo, quiet: boolean): Reporter {
  return {
    setTotal() {},
    file(result) {
      if (result.error !== undefined)
        io.stderr.write(failedLine(String(result.input), reasonOf(result.error, String(result.input))));
      else if (quiet) return;
      else if (result.skipped) io.stdout.write(`skipped: ${escapeText(result.output)} (exists)\n`);
      else io.stdout.write(`processed: ${escapeText(result.output)}\n`);
    },
    end(tally, interruptedBy) {
      io.stdout.write(`${tally.summaryLine(interruptedBy)}\n`);
    },
    abandon() {},
    warning(text) {
      io.stderr.write(`offloop: ${escapeText(text)}\n`);
    },
  };
}

/** The bar's width at most, in characters. */
const BAR_SIZE = 30;

/**
 * The bar's line for a terminal `columns` wide: the bar shrinks (down to 10
 * characters, then goes) before the text does; on a very narrow terminal
 * only the counts stay. One column is kept free: a line that fills the last
 * column wraps on some terminals.
 */
export function barLine(columns: number, progress: number | undefined, counts: string, rates: string): string {
  const room = columns - 1;
  const text = `${counts} | ${rates}`;
  const size = Math.min(BAR_SIZE, room - text.length - 1);
  if (size >= 10) {
    const filled = progress === undefined ? 0 : Math.round(Math.min(Math.max(progress, 0), 1) * size);
    return `${'\u2588'.repeat(filled)}${'\u2591'.repeat(size - filled)} ${text}`;
  }
  return text.length <= room ? text : counts.slice(0, room);
}

function barReporter(io: CommandIo): Reporter {
  let total: number | undefined;
  const stream = io.stderr as Partial<NodeJS.WriteStream>;
  const bar = new cliProgress.SingleBar(
    {
      stream: io.stderr,
      format: (_options, params, payload: { mps: string; failed: number }) => {
        const of = total === undefined ? '?' : String(total);
        const eta = total === undefined || params.value === 0 ? '--' : `${params.eta}s`;
        const counts = `${params.value}/${of} files | ${payload.failed} failed`;
        // A terminal of unknown size (a bare pty) says 0 columns: draw for 80.
        return barLine(
          stream.columns || 80,
          total === undefined ? undefined : params.progress,
          counts,
          `${payload.mps} MP/s | ETA ${eta}`,
        );
      },
      hideCursor: true,
      // Redraws on each result and at most every 100 ms otherwise.
      fps: 10,
      etaBuffer: 50,
    },
    cliProgress.Presets.shades_classic,
  );
  bar.start(1, 0, { mps: '0.0', failed: 0 });
  return {
    setTotal(count) {
      total = count;
      bar.setTotal(Math.max(count, 1));
    },
    file(_result, tally) {
      if (total !== undefined && tally.files > total) this.setTotal(tally.files);
      bar.update(tally.files, { mps: tally.megapixelsPerSecond().toFixed(1), failed: tally.failed });
    },
    end(tally, interruptedBy) {
      bar.stop();
      io.stdout.write(`${tally.summaryLine(interruptedBy)}\n`);
      const failures = tally.failures.map((failure) => failedLine(failure.input, failure.message));
      if (failures.length > 0) io.stderr.write(failures.join(''));
    },
    abandon() {
      bar.stop();
    },
    warning(text) {
      // Over the bar's line; the bar draws itself again below at its next update.
      io.stderr.write(`\r\u001b[Koffloop: ${escapeText(text)}\n`);
    },
  };
}
