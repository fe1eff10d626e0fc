// A report.json where a snapshot is expected (evaluate, merge) gets one line saying so, instead of
// the first schema difference between the two (the reverse is said by loadReport).
import { readFile } from 'node:fs/promises';
import { loadSnapshot } from '../inventory/load.js';
import type { Snapshot } from '../inventory/schema.js';
import { InputError } from '../util/input-error.js';

export async function loadSnapshotInput(file: string): Promise<Snapshot> {
  try {
    return await loadSnapshot(file);
  } catch (err) {
    // Read again only on the way out, so a good snapshot is read once.
    if (err instanceof InputError && (await isReport(file))) {
      throw new InputError(file, null, 'this is a trailwarden report.json, not a snapshot: give the snapshot.json written beside it');
    }
    throw err;
  }
}

async function isReport(file: string): Promise<boolean> {
  try {
    const data = JSON.parse(await readFile(file, 'utf8')) as { findings?: unknown; rulesPack?: unknown } | null;
    return Array.isArray(data?.findings) && typeof data?.rulesPack === 'object' && data.rulesPack !== null;
  } catch {
    return false;
  }
}
