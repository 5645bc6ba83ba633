/**
 * How a batch shows on the command line: a progress bar on a terminal, one
 * line per file otherwise (the Python seed's `processed:` / `failed:`), or
 * JSON lines. Each reads the same per-file results, so any source of
 * results (the local pool, a queue) can drive them.
 */
import cliProgress from 'cli-progress';

import type { GrayscaleFilesResult } from '../files/batch-types.js';
import type { CommandIo } from './command.js';
import { reasonOf, type Tally } from './tally.js';

export interface Reporter {
  /** The number of files, once known (possibly after the first results). */
  setTotal(total: number): void;
  /** One file's result, already added to the tally. */
  file(result: GrayscaleFilesResult, tally: Tally): void;
  /** The end: the summary (and the failures, where not shown yet). */
  end(tally: Tally, interruptedBy?: string): void;
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
        line = { type: 'file', status: 'failed', input: String(result.input), error: { code: code ?? null, message: reasonOf(result.error, String(result.input)) } };
      } else if (result.skipped) {
        line = { type: 'file', status: 'skipped', input: result.input, output: result.output };
      } else {
        const { input, output, width, height, format, bytesIn, bytesOut, ms } = result;
        line = { type: 'file', status: 'processed', input, output, width, height, format, bytesIn, bytesOut, ms: Number(ms.toFixed(3)) };
      }
      io.stdout.write(`${JSON.stringify(line)}\n`);
    },
    end(tally, interruptedBy) {
      io.stdout.write(`${JSON.stringify(tally.summaryObject(interruptedBy))}\n`);
    },
  };
}

function linesReporter(io: CommandIo, quiet: boolean): Reporter {
  return {
    setTotal() {},
    file(result) {
      if (result.error !== undefined) io.stderr.write(`failed: ${String(result.input)}: ${reasonOf(result.error, String(result.input))}\n`);
      else if (quiet) return;
      else if (result.skipped) io.stdout.write(`skipped: ${result.output} (exists)\n`);
      else io.stdout.write(`processed: ${result.output}\n`);
    },
    end(tally, interruptedBy) {
      io.stdout.write(`${tally.summaryLine(interruptedBy)}\n`);
    },
  };
}

function barReporter(io: CommandIo): Reporter {
  let total: number | undefined;
  const bar = new cliProgress.SingleBar(
    {
      stream: io.stderr,
      format: (options, params, payload: { mps: string; failed: number }) => {
        const size = options.barsize ?? 30;
        const filled = total === undefined ? 0 : Math.round(params.progress * size);
        const track = (options.barCompleteString ?? '').slice(0, filled) + (options.barIncompleteString ?? '').slice(0, size - filled);
        const of = total === undefined ? '?' : String(total);
        const eta = total === undefined || params.value === 0 ? '--' : `${params.eta}s`;
        return `${track} ${params.value}/${of} files | ${payload.mps} MP/s | ETA ${eta} | ${payload.failed} failed`;
      },
      barsize: 30,
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
      const failures = tally.failures.map((failure) => `failed: ${failure.input}: ${failure.message}\n`);
      if (failures.length > 0) io.stderr.write(failures.join(''));
    },
  };
}
