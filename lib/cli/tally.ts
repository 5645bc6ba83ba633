/** The running count of a batch on the command line, and its summary. */
import type { GrayscaleFilesResult } from '../files/batch-types.js';
import { reasonOf } from './text.js';

export interface Failure {
  input: string;
  code: string | undefined;
  message: string;
}

export class Tally {
  processed = 0;
  skipped = 0;
  failed = 0;
  pixels = 0;
  bytesIn = 0;
  bytesOut = 0;
  readonly failures: Failure[] = [];
  private readonly startedAt = performance.now();

  get files(): number {
    return this.processed + this.skipped + this.failed;
  }

  seconds(): number {
    return (performance.now() - this.startedAt) / 1000;
  }

  megapixelsPerSecond(): number {
    const seconds = this.seconds();
    return seconds > 0 ? this.pixels / 1e6 / seconds : 0;
  }

  add(result: GrayscaleFilesResult): void {
    if (result.error !== undefined) {
      this.failed++;
      this.failures.push({
        input: String(result.input),
        code: (result.error as { code?: string }).code,
        message: reasonOf(result.error, String(result.input)),
      });
    } else if (result.skipped) {
      this.skipped++;
    } else {
      this.processed++;
      this.pixels += result.width * result.height;
      this.bytesIn += result.bytesIn;
      this.bytesOut += result.bytesOut;
    }
  }

  /** One line: `12 files in 3.2 s: 10 processed, 1 skipped, 1 failed; 92.1 MP at 28.7 MP/s`. */
  summaryLine(interruptedBy?: string): string {
    const parts = [`${this.processed} processed`];
    if (this.skipped > 0) parts.push(`${this.skipped} skipped`);
    parts.push(`${this.failed} failed`);
    const head = interruptedBy === undefined ? '' : `interrupted by ${interruptedBy} after `;
    return `${head}${plural(this.files, 'file')} in ${this.seconds().toFixed(1)} s: ${parts.join(', ')}; ${(this.pixels / 1e6).toFixed(1)} MP at ${this.megapixelsPerSecond().toFixed(1)} MP/s`;
  }

  summaryObject(interruptedBy?: string): Record<string, unknown> {
    return {
      type: 'summary',
      files: this.files,
      processed: this.processed,
      skipped: this.skipped,
      failed: this.failed,
      pixels: this.pixels,
      bytesIn: this.bytesIn,
      bytesOut: this.bytesOut,
      seconds: Number(this.seconds().toFixed(3)),
      megapixelsPerSecond: Number(this.megapixelsPerSecond().toFixed(2)),
      interrupted: interruptedBy ?? null,
      failures: this.failures,
    };
  }
}

/** `1 file`, `2 files`, `0 files`. */
export function plural(count: number, noun: string): string {
  return `${count} ${noun}${count === 1 ? '' : 's'}`;
}
