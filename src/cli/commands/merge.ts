// trailwarden merge: join the snapshots of a sharded scan into one, written atomically.
import { resolve } from 'node:path';
import { Snapshot } from '../../inventory/schema.js';
import { mergeShards, ShardSetError } from '../../shard/merge.js';
import { writeFileAtomic } from '../../util/atomic-write.js';
import { prettyJsonChunks } from '../../util/json-chunks.js';
import { EXIT, UsageError } from '../../core/errors.js';
import { loadSnapshotInput } from '../inputs.js';
import type { CliIO } from '../io.js';

export interface MergeFlags {
  out: string;
  quiet?: boolean;
}

export async function runMerge(files: string[], flags: MergeFlags, io: CliIO): Promise<number> {
  const inputs = [];
  // Every file is read and checked before anything is written.
  for (const file of files) inputs.push({ file, snapshot: await loadSnapshotInput(resolve(io.cwd, file)) });
  let merged;
  try {
    merged = mergeShards(inputs);
  } catch (err) {
    if (err instanceof ShardSetError) throw new UsageError(err.message);
    throw err;
  }
  // The merge is ours: a schema failure here is a bug, and is reported as one, not written.
  const snapshot = Snapshot.parse(merged.snapshot);
  const out = resolve(io.cwd, flags.out);
  await writeFileAtomic(out, prettyJsonChunks(snapshot));
  if (!flags.quiet) {
    for (const note of merged.notes) io.stderr(`trailwarden: note: ${note}\n`);
    const scanned = snapshot.accounts.filter((a) => a.status === 'scanned').length;
    const errors = snapshot.accounts.filter((a) => a.status === 'error').length;
    io.stderr(
      `trailwarden: merged ${files.length} shard(s) into ${out}: ${snapshot.accounts.length} accounts (${scanned} scanned, ${errors} error), ` +
        `${snapshot.trails.length} trails, ${snapshot.errors.length} collection error(s)${snapshot.complete ? '' : '; incomplete'}\n`,
    );
  }
  return EXIT.ok;
}
