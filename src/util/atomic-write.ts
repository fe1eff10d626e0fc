// Reports and snapshots are written atomically: a reader (or a crash) never sees half a file.
import { mkdir, open, rename, rm, writeFile } from 'node:fs/promises';
import { dirname, join, basename } from 'node:path';
import { randomBytes } from 'node:crypto';

export async function writeFileAtomic(path: string, data: string | Uint8Array): Promise<void> {
  await mkdir(dirname(path), { recursive: true });
  const tmp = join(dirname(path), `.${basename(path)}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`);
  try {
    await writeFile(tmp, data);
    await rename(tmp, path);
  } catch (err) {
    await rm(tmp, { force: true });
    throw err;
  }
}

/**
 * Several files that appear together or not at all: each is written in full to a temporary file
 * beside its target (chunk by chunk, so no file needs to fit in one string), and only when every
 * one is complete are they renamed into place. abort() removes whatever was staged.
 */
export class AtomicFileSet {
  private staged: { tmp: string; path: string }[] = [];

  async stage(path: string, chunks: Iterable<string>): Promise<void> {
    await mkdir(dirname(path), { recursive: true });
    const tmp = join(dirname(path), `.${basename(path)}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`);
    this.staged.push({ tmp, path });
    const file = await open(tmp, 'w');
    try {
      let buffer = '';
      for (const chunk of chunks) {
        buffer += chunk;
        if (buffer.length >= 1 << 20) {
          await file.write(buffer);
          buffer = '';
        }
      }
      if (buffer) await file.write(buffer);
    } finally {
      await file.close();
    }
  }

  async commit(): Promise<string[]> {
    for (const { tmp, path } of this.staged) await rename(tmp, path);
    const paths = this.staged.map((s) => s.path);
    this.staged = [];
    return paths;
  }

  async abort(): Promise<void> {
    await Promise.all(this.staged.map((s) => rm(s.tmp, { force: true })));
    this.staged = [];
  }
}
