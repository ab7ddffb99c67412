import { closeSync, existsSync, fstatSync, openSync, renameSync, rmSync, writeSync } from 'node:fs';
import { dirname } from 'node:path';
import { ensureDir } from '../system/ensure-dir.js';

/**
 * An append-only log file that rotates like Python's RotatingFileHandler: when a write would pass
 * maxBytes, file → file.1 → … → file.N (the oldest is dropped). Writes are synchronous so a line
 * logged just before a crash is on disk; the log folder is local, never the NFS shares.
 */
export class RotatingFile {
  private fd: number;
  private size: number;

  constructor(
    private readonly path: string,
    private readonly maxBytes: number,
    private readonly backups: number,
  ) {
    ensureDir(dirname(path));
    this.fd = openSync(path, 'a');
    this.size = fstatSync(this.fd).size;
  }

  write(text: string): void {
    const bytes = Buffer.byteLength(text);
    if (this.size > 0 && this.size + bytes > this.maxBytes) this.rotate();
    writeSync(this.fd, text);
    this.size += bytes;
  }

  close(): void {
    closeSync(this.fd);
  }

  private rotate(): void {
    closeSync(this.fd);
    const oldest = `${this.path}.${this.backups}`;
    if (existsSync(oldest)) rmSync(oldest);
    for (let i = this.backups - 1; i >= 1; i--) {
      const from = `${this.path}.${i}`;
      if (existsSync(from)) renameSync(from, `${this.path}.${i + 1}`);
    }
    if (this.backups > 0) renameSync(this.path, `${this.path}.1`);
    else rmSync(this.path);
    this.fd = openSync(this.path, 'a');
    this.size = 0;
  }
}
