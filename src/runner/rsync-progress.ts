import type { JobProgress } from '../core/types.js';

/** One progress line of `rsync --info=progress2`, about the whole transfer. */
export type RsyncProgress = Omit<JobProgress, 'updatedAt'>;

// "     218988544  69%  208.81MB/s    0:00:00 (xfr#1, to-chk=1/3)"; with -h left on, digits carry commas.
const PROGRESS_LINE = /^ *(\d[\d,]*) +(\d{1,3})% +(\S+\/s) +(\d+:\d\d:\d\d)(?: +\(.*\))? *$/;
const CR = 0x0d;
const LF = 0x0a;
/** A longer segment without a line end is no progress line: pass it on rather than hold it. */
const MAX_HELD_BYTES = 4096;

/**
 * Takes rsync's stdout apart as it streams: progress lines (rewritten in place with \r, hundreds in a
 * long copy) go to `onProgress` and never reach the kept output; every other byte is passed on, in
 * order, so the file list and --stats read exactly as without progress.
 */
export class ProgressSplitter {
  private held: Buffer = Buffer.alloc(0);

  constructor(private readonly onProgress: (progress: RsyncProgress) => void) {}

  /** Returns the bytes of `chunk` (and of earlier chunks held back) that are not progress. */
  push(chunk: Buffer): Buffer {
    const data = this.held.length > 0 ? Buffer.concat([this.held, chunk]) : chunk;
    const kept: Buffer[] = [];
    let start = 0;
    for (let i = 0; i < data.length; i++) {
      const byte = data[i];
      if (byte !== CR && byte !== LF) continue;
      const segment = data.subarray(start, i);
      const progress =
        segment.length > 0 && segment.length < 200 ? parseProgressLine(segment.toString('latin1')) : null;
      if (progress) this.onProgress(progress);
      // A \r belongs to progress output; keep only the line ends of real lines.
      else if (byte === LF || segment.length > 0) kept.push(data.subarray(start, i + 1));
      start = i + 1;
    }
    this.held = data.subarray(start);
    if (this.held.length > MAX_HELD_BYTES) {
      kept.push(this.held);
      this.held = Buffer.alloc(0);
    }
    return Buffer.concat(kept);
  }

  /** The bytes still held when the stream ended (output without a final line end). */
  end(): Buffer {
    const rest = this.held;
    this.held = Buffer.alloc(0);
    return rest;
  }
}

export function parseProgressLine(line: string): RsyncProgress | null {
  const [, sent, percentText, rate, eta] = PROGRESS_LINE.exec(line) ?? [];
  if (sent === undefined || rate === undefined || eta === undefined) return null;
  const bytes = Number(sent.replaceAll(',', ''));
  const percent = Number(percentText);
  if (!Number.isSafeInteger(bytes) || percent > 100) return null;
  return { bytes, percent, rate, eta };
}
