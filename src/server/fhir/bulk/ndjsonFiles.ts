/**
 * The NDJSON files of one exported type (issue 22): a new file before a line would take the current
 * one past the size, lines encoded straight into one large buffer and written in chunks of
 * `BUFFER_BYTES` to a descriptor kept open. The profile at M showed the earlier way (a string
 * concatenated per statement, then `appendFileSync` opening the file each time) costing as much as
 * the mapping: flattening the concatenated string, encoding it again and reopening the file.
 */
import { closeSync, fsyncSync, openSync, writeSync } from 'node:fs';
import path from 'node:path';

/** What the manifest lists for one file. */
export interface ExportOutput {
  type: string;
  file: string;
  count: number;
}

const BUFFER_BYTES = 4 * 1024 * 1024;
const NEWLINE = 10;

export class NdjsonFiles {
  private readonly buf = Buffer.allocUnsafe(BUFFER_BYTES);
  private used = 0;
  private fd: number | null = null;
  private current: ExportOutput | null = null;
  /** Bytes of the current file, written and buffered. */
  private bytes = 0;
  private part = 0;

  constructor(
    private readonly dir: string,
    private readonly type: string,
    private readonly fileBytes: number,
    /** Told of each new file as it is opened (the job lists it; its count grows as lines are added). */
    private readonly opened: (output: ExportOutput) => void,
  ) {}

  /** One resource's JSON (no newline). */
  add(json: string): void {
    // UTF-8 takes at most 3 bytes per UTF-16 unit, so a line that fits by that bound is encoded in place.
    if (json.length * 3 + 1 > this.buf.length - this.used) this.flush();
    let at = this.used;
    let big: Buffer | null = null;
    let n: number;
    if (json.length * 3 + 1 <= this.buf.length - at) {
      n = this.buf.write(json, at, 'utf8');
      this.buf[at + n] = NEWLINE;
      n++;
    } else {
      big = Buffer.from(`${json}\n`, 'utf8');
      n = big.length;
    }
    if (this.current === null || (this.bytes > 0 && this.bytes + n > this.fileBytes)) {
      // What is buffered before this line belongs to the file being closed.
      this.writeOut(0, at);
      if (!big) this.buf.copyWithin(0, at, at + n);
      at = 0;
      this.used = 0;
      this.next();
    }
    if (big) writeSync(this.fd!, big);
    else this.used = at + n;
    this.bytes += n;
    this.current!.count++;
  }

  /** Writes what is buffered and closes the last file, its content on disk (a finished export survives a power cut). */
  close(): void {
    this.flush();
    this.closeFile();
  }

  /** Closes without keeping anything buffered (a cancelled or failed export: its files are removed). */
  abandon(): void {
    this.used = 0;
    if (this.fd !== null) closeSync(this.fd);
    this.fd = null;
  }

  private flush(): void {
    this.writeOut(0, this.used);
    this.used = 0;
  }

  private writeOut(from: number, to: number): void {
    for (let at = from; at < to;) at += writeSync(this.fd!, this.buf, at, to - at);
  }

  private next(): void {
    this.closeFile();
    this.current = { type: this.type, file: `${this.type}-${++this.part}.ndjson`, count: 0 };
    this.fd = openSync(path.join(this.dir, this.current.file), 'w', 0o600);
    this.bytes = 0;
    this.opened(this.current);
  }

  private closeFile(): void {
    if (this.fd === null) return;
    fsyncSync(this.fd);
    closeSync(this.fd);
    this.fd = null;
  }
}
