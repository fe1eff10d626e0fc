// Reading a saved snapshot: a malformed file is an input error naming file, line and reason.
import { readFile } from 'node:fs/promises';
import { InputError } from '../util/input-error.js';
import { parseYaml, schemaError } from '../util/yaml-source.js';
import { READABLE_SNAPSHOT_VERSIONS, Snapshot } from './schema.js';

export async function loadSnapshot(file: string): Promise<Snapshot> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (err) {
    throw new InputError(file, null, `cannot read the snapshot (${(err as NodeJS.ErrnoException).code ?? (err as Error).message})`);
  }
  // JSON is YAML: the YAML parser gives line numbers for both syntax and schema errors.
  const source = parseYaml(file, text);
  const version = (source.data as { schemaVersion?: unknown } | null)?.schemaVersion;
  if (!(READABLE_SNAPSHOT_VERSIONS as readonly unknown[]).includes(version)) {
    throw new InputError(file, source.lineOf(['schemaVersion']), `snapshot schemaVersion ${JSON.stringify(version)} is not supported (expected one of "${READABLE_SNAPSHOT_VERSIONS.join('", "')}")`);
  }
  const parsed = Snapshot.safeParse(source.data);
  if (!parsed.success) throw schemaError(source, parsed.error.issues);
  return parsed.data;
}
