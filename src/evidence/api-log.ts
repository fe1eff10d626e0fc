// api-calls.jsonl: each AWS call, redacted and written as one JSON line the moment it completes.
// Nothing is kept in memory: a scan of 1,000 accounts makes hundreds of thousands of calls.
// When the disk is slower than the scan, the write buffer fills and the calls wait for it.
import { createWriteStream, type WriteStream } from 'node:fs';
import { once } from 'node:events';
import { finished } from 'node:stream/promises';
import type { ApiCallRecord, ApiCallRecorder } from '../collect/recording.js';
import { redact } from './redact.js';

export class JsonlApiLog implements ApiCallRecorder {
  private readonly stream: WriteStream;
  private drained: Promise<void> | null = null;
  private failure: Error | null = null;
  /** Lines written. */
  count = 0;

  constructor(readonly file: string) {
    this.stream = createWriteStream(file, { flags: 'wx', highWaterMark: 1 << 20 });
    this.stream.on('error', (err) => {
      this.failure ??= err;
    });
  }

  record(call: ApiCallRecord): void | Promise<void> {
    if (this.failure) return;
    const input = redact(call.input, 'input');
    const output = redact(call.output, 'output');
    const redacted = [...input.paths, ...output.paths];
    const line = JSON.stringify({ ...call, input: input.value, output: output.value, redacted }) + '\n';
    this.count++;
    if (this.stream.write(line)) return;
    // One shared wait, however many calls are held: no listener per call.
    this.drained ??= once(this.stream, 'drain').then(
      () => {
        this.drained = null;
      },
      () => {
        this.drained = null;
      },
    );
    return this.drained;
  }

  /** Flushes and closes the file; rejects if any line could not be written. */
  async close(): Promise<void> {
    this.stream.end();
    await finished(this.stream).catch(() => undefined);
    if (this.failure) throw new Error(`cannot write ${this.file}: ${this.failure.message}`);
  }
}
