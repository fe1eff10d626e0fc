// A scan hands its evaluation over to a fresh image of its own process.
//
// At 10,000 accounts the scan leaves a few hundred megabytes of heap and allocator memory resident
// beside its ~100 MB snapshot, and evaluating on top of it made the whole run's peak the sum of
// the two phases. So `trailwarden scan`, once it has its snapshot, writes it (as snapshot.json will
// hold it) into a directory inside --out, and replaces itself (execve: same PID, stdio and exit
// status) with the same command line and TRAILWARDEN_SCAN_HANDOFF naming that directory. The new
// image checks the flags and the rules pack again, reads the snapshot as `evaluate` would, and
// writes the reports; the handed-over file becomes the run's snapshot.json, byte for byte what the
// scan wrote. The whole run's peak is the larger phase's, not their sum.
import { open, readFile } from 'node:fs/promises';
import { basename, dirname, join, resolve } from 'node:path';
import type { Snapshot } from '../inventory/schema.js';
import { UsageError } from '../core/errors.js';
import { adoptTempDir, createTempDirSync, removeTempDirSync, writeChunks } from '../util/atomic-write.js';
import { prettyJsonChunks } from '../util/json-chunks.js';

export const HANDOFF_ENV = 'TRAILWARDEN_SCAN_HANDOFF';
const PREFIX = '.trailwarden-handoff-';
const SNAPSHOT = 'snapshot.json';
const META = 'handoff.json';

/** What the scan's image tells the one that evaluates, beside the snapshot. */
export interface HandoffMeta {
  /** The PID of the process that wrote it: the image that takes it over has the same (execve). */
  pid: number;
  /** The signal that stopped the scan, if one came (the exit code depends on it). */
  interruptedBy: NodeJS.Signals | null;
  /** The rules pack the scan was started with: the evaluation must judge by the same. */
  rulesPackSha256: string;
}

export interface Handoff {
  dir: string;
  snapshotFile: string;
  meta: HandoffMeta;
}

/** Writes the snapshot (as snapshot.json holds it, synced to disk) and the meta into a new directory in outDir. */
export async function writeHandoff(outDir: string, snapshot: Snapshot, meta: HandoffMeta): Promise<string> {
  const dir = createTempDirSync(outDir, PREFIX);
  try {
    const file = await open(join(dir, SNAPSHOT), 'w');
    try {
      await writeChunks(file, prettyJsonChunks(snapshot));
    } finally {
      await file.close();
    }
    const m = await open(join(dir, META), 'w');
    try {
      await m.write(`${JSON.stringify(meta)}\n`);
      await m.sync();
    } finally {
      await m.close();
    }
  } catch (err) {
    removeTempDirSync(dir);
    throw err;
  }
  return dir;
}

/** After a failed replacement: the directory is not needed, the run goes on in this image. */
export function dropHandoff(dir: string): void {
  removeTempDirSync(dir);
}

/**
 * The handoff this image was started with, or null. Taken once: the variable leaves the
 * environment (no child inherits it), and the directory is this image's to remove at exit. A
 * variable that does not name a handoff of this process, in this --out, is refused.
 */
export async function takeHandoff(env: NodeJS.ProcessEnv, outDir: string): Promise<Handoff | null> {
  const given = env[HANDOFF_ENV];
  if (given === undefined) return null;
  delete env[HANDOFF_ENV];
  const refuse = (why: string) =>
    new UsageError(`${HANDOFF_ENV}: ${why}; it is set by trailwarden scan for its own evaluation, not by hand (unset it and run the scan again)`);
  const dir = resolve(given);
  if (dirname(dir) !== resolve(outDir) || !basename(dir).startsWith(PREFIX)) throw refuse(`${given} is not a handoff directory of --out ${outDir}`);
  let meta: HandoffMeta;
  try {
    meta = JSON.parse(await readFile(join(dir, META), 'utf8')) as HandoffMeta;
  } catch (err) {
    throw refuse(`cannot read ${join(dir, META)} (${(err as NodeJS.ErrnoException).code ?? (err as Error).message})`);
  }
  if (meta?.pid !== process.pid) throw refuse(`${dir} was written by process ${String(meta?.pid)}, not by this one (${process.pid})`);
  adoptTempDir(dir);
  return { dir, snapshotFile: join(dir, SNAPSHOT), meta };
}
