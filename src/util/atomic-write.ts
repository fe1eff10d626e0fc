// Reports and snapshots are written atomically: a reader (or a crash) never sees half a file,
// and the files of one run replace the previous set as a whole or not at all.
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { lstat, mkdir, open, rename, rm, rmdir, stat, writeFile, type FileHandle } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { randomBytes } from 'node:crypto';

export async function writeFileAtomic(path: string, data: string | Uint8Array | Iterable<string>): Promise<void> {
  await mkdir(dirname(path), { recursive: true });
  const tmp = join(dirname(path), `.${basename(path)}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`);
  // Known before it exists: an exit while it is written removes it (removeStagingSync).
  liveFiles.add(tmp);
  try {
    await writeFile(tmp, data);
    await rename(tmp, path);
  } catch (err) {
    await rm(tmp, { force: true });
    throw err;
  } finally {
    liveFiles.delete(tmp);
  }
}

const STAGING_PREFIX = '.trailwarden-staging-';

/**
 * Staging directories still on disk. A signal that ends the process (a second Ctrl-C, SIGTERM
 * during evaluate) exits through process.exit, and 'exit' listeners must be synchronous: this is
 * what lets them leave no temporary file behind, however large the report being written was.
 */
const live = new Set<string>();
/** writeFileAtomic's temporary files not yet renamed into place. */
const liveFiles = new Set<string>();
process.once('exit', removeStagingSync);

/** Removes every staging directory and temporary file of this process (synchronous: safe in an 'exit' listener). */
export function removeStagingSync(): void {
  for (const dir of live) removeDirSync(dir);
  live.clear();
  for (const file of liveFiles) rmSync(file, { force: true });
  liveFiles.clear();
}

/**
 * A write of the set still in flight on libuv's threads can create a file in the directory
 * while it is being removed (ENOTEMPTY): tried again, a few milliseconds apart, until it is gone.
 */
function removeDirSync(dir: string): void {
  for (let attempt = 0; ; attempt++) {
    try {
      rmSync(dir, { recursive: true, force: true });
      return;
    } catch (err) {
      if (attempt >= 20) throw err;
      Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 2);
    }
  }
}

/**
 * A temporary directory of this process inside `parent` (a run's spilled findings), removed by
 * removeTempDirSync or, if the process ends first, by the exit listener.
 */
export function createTempDirSync(parent: string, prefix: string): string {
  mkdirSync(parent, { recursive: true });
  const dir = mkdtempSync(join(parent, prefix));
  live.add(dir);
  return dir;
}

/**
 * Takes over a temporary directory another image of this process made (a scan that handed its
 * snapshot over before it replaced itself: cli/handoff.ts): removed like one of its own.
 */
export function adoptTempDir(dir: string): void {
  live.add(dir);
}

export function removeTempDirSync(dir: string): void {
  removeDirSync(dir);
  live.delete(dir);
}

/** Why a file of the set cannot be put at `path`, before anything is written; null when it can. */
async function blocker(path: string): Promise<string | null> {
  const st = await lstat(path).catch((err: NodeJS.ErrnoException) => {
    if (err.code === 'ENOENT') return null;
    throw err;
  });
  if (!st || st.isFile() || st.isSymbolicLink()) return null;
  return `${path} is ${st.isDirectory() ? 'a directory' : 'not a regular file'}; a report cannot replace it`;
}

/** The error of a set that could not be written: the previous set is left as it was. */
export class FileSetError extends Error {
  constructor(
    message: string,
    readonly code: string | undefined,
  ) {
    super(message);
    this.name = 'FileSetError';
  }
}

const errnoText = (err: unknown) => {
  const e = err as NodeJS.ErrnoException;
  return e?.code ? `${e.code}: ${e.message.replace(/^\w+: /, '').replace(/, \w+ '.*'$/, '')}` : String((err as Error)?.message ?? err);
};

/**
 * Checks, without leaving anything on disk, that the files `names` can later be written into
 * `dir` as one set: the nearest existing ancestor is a directory this process can create entries
 * in, and no name is taken by a directory. Run before any AWS call or evaluation.
 */
export async function checkWritableSet(dir: string, names: readonly string[]): Promise<void> {
  let existing = dir;
  for (;;) {
    const st = await stat(existing).catch((err: NodeJS.ErrnoException) => {
      // ENOENT: not there yet; ENOTDIR: a component above is a file, which the walk up names.
      if (err.code === 'ENOENT' || err.code === 'ENOTDIR') return null;
      throw new FileSetError(`${dir} cannot be used (${errnoText(err)})`, err.code);
    });
    if (st && !st.isDirectory()) throw new FileSetError(`${dir} cannot be created: ${existing} is not a directory`, 'ENOTDIR');
    if (st) break;
    const parent = dirname(existing);
    if (parent === existing) break;
    existing = parent;
  }
  if (existing === dir) {
    for (const name of names) {
      const why = await blocker(join(dir, name));
      if (why) throw new FileSetError(why, 'EISDIR');
    }
  }
  // A real probe: permission bits say nothing about a read-only mount or, for root, about much at all.
  let probe: string;
  try {
    probe = mkdtempSync(join(existing, `${STAGING_PREFIX}probe-`));
    live.add(probe);
  } catch (err) {
    throw new FileSetError(`${dir} is not writable (${errnoText(err)})`, (err as NodeJS.ErrnoException).code);
  }
  await rmdir(probe);
  live.delete(probe);
}

/**
 * Writes chunks to an open file and syncs it: text gathered to about 1 M characters a write,
 * byte chunks written as they are.
 */
export async function writeChunks(file: FileHandle, chunks: Iterable<string | Uint8Array>): Promise<void> {
  const writeAll = async (bytes: Uint8Array) => {
    for (let off = 0; off < bytes.length; ) off += (await file.write(bytes, off, bytes.length - off)).bytesWritten;
  };
  let buffer = '';
  for (const chunk of chunks) {
    if (typeof chunk !== 'string') {
      if (buffer) await file.write(buffer);
      buffer = '';
      await writeAll(chunk);
      continue;
    }
    buffer += chunk;
    if (buffer.length >= 1 << 20) {
      await file.write(buffer);
      buffer = '';
    }
  }
  if (buffer) await file.write(buffer);
  await file.sync();
}

/**
 * Several files that appear together or not at all. Each is written in full, chunk by chunk (no
 * file needs to fit in one string), into a staging directory inside its target directory (the
 * same filesystem, so the renames are atomic). commit() swaps the set in only once every file is
 * complete: the files it replaces are first moved aside, and put back if any rename fails.
 * abort() removes whatever was staged.
 */
export class AtomicFileSet {
  private staged: { tmp: string; path: string }[] = [];
  private readonly staging = new Map<string, string>();
  /** Files of the previous set this run does not write again: gone with the commit, back on a rollback. */
  private retired: string[] = [];

  retire(path: string): void {
    this.retired.push(path);
  }

  private async stagingDir(dir: string): Promise<string> {
    let staging = this.staging.get(dir);
    if (!staging) {
      await mkdir(dir, { recursive: true });
      // Created and registered in one synchronous step: a signal's process.exit() cannot fall
      // between the two and leave a staging directory no exit listener knows of.
      staging = mkdtempSync(join(dir, `${STAGING_PREFIX}${process.pid}-`));
      live.add(staging);
      this.staging.set(dir, staging);
    }
    return staging;
  }

  /** Text chunks are gathered to about 1 M characters a write; byte chunks are written as they are. */
  async stage(path: string, chunks: Iterable<string | Uint8Array>): Promise<void> {
    const tmp = join(await this.stagingDir(dirname(path)), basename(path));
    this.staged.push({ tmp, path });
    const file = await open(tmp, 'w');
    try {
      await writeChunks(file, chunks);
    } finally {
      await file.close();
    }
  }

  /** A complete file already on this filesystem joins the set as it is: moved into the staging directory. */
  async stageFile(path: string, from: string): Promise<void> {
    const tmp = join(await this.stagingDir(dirname(path)), basename(path));
    await rename(from, tmp);
    this.staged.push({ tmp, path });
  }

  async commit(): Promise<string[]> {
    for (const { path } of this.staged) {
      const why = await blocker(path);
      if (why) throw new FileSetError(why, 'EISDIR');
    }
    const movedAside: { path: string; aside: string }[] = [];
    const placed: string[] = [];
    try {
      const asides = [
        ...this.staged.map(({ tmp, path }) => ({ path, aside: `${tmp}.previous` })),
        ...(await Promise.all(this.retired.map(async (path) => ({ path, aside: join(await this.stagingDir(dirname(path)), `${basename(path)}.retired`) })))),
      ];
      for (const { path, aside } of asides) {
        try {
          await rename(path, aside);
          movedAside.push({ path, aside });
        } catch (err) {
          if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
        }
      }
      for (const { tmp, path } of this.staged) {
        await rename(tmp, path);
        placed.push(path);
      }
    } catch (err) {
      // Back to the previous set: the new files out, the old ones in.
      for (const path of placed) await rm(path, { force: true }).catch(() => undefined);
      const stranded: string[] = [];
      for (const { path, aside } of movedAside) await rename(aside, path).catch(() => stranded.push(aside));
      if (stranded.length) {
        // Never delete the only copy of a previous report: keep the staging directory and say where.
        for (const dir of this.staging.values()) live.delete(dir);
        this.staging.clear();
        throw new FileSetError(`${errnoText(err)}; the previous files could not be put back and are kept in ${stranded.join(', ')}`, (err as NodeJS.ErrnoException).code);
      }
      throw err;
    }
    const paths = this.staged.map((s) => s.path);
    this.staged = [];
    this.retired = [];
    await this.removeStaging();
    return paths;
  }

  async abort(): Promise<void> {
    this.staged = [];
    await this.removeStaging();
  }

  private async removeStaging(): Promise<void> {
    for (const dir of this.staging.values()) {
      await rm(dir, { recursive: true, force: true });
      live.delete(dir);
    }
    this.staging.clear();
  }
}
