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
  // A well-formed snapshot is read with JSON.parse: the YAML parser's document model costs about a
  // hundred times the text (a 2.5 MB snapshot of 1,000 accounts took RSS from 85 to 380 MB).
  // Anything else goes to the YAML parser, which names the line of what is wrong (JSON is YAML).
  try {
    const data = JSON.parse(text) as { schemaVersion?: unknown } | null;
    if ((READABLE_SNAPSHOT_VERSIONS as readonly unknown[]).includes(data?.schemaVersion)) {
      const fast = Snapshot.safeParse(data);
      if (fast.success) return fast.data;
    }
  } catch {
    // not JSON: the YAML parser below says where
  }
  const source = parseYaml(file, text);
  const version = (source.data as { schemaVersion?: unknown } | null)?.schemaVersion;
  if (!(READABLE_SNAPSHOT_VERSIONS as readonly unknown[]).includes(version)) {
    throw new InputError(file, source.lineOf(['schemaVersion']), `snapshot schemaVersion ${JSON.stringify(version)} is not supported (expected one of "${READABLE_SNAPSHOT_VERSIONS.join('", "')}")`);
  }
  const parsed = Snapshot.safeParse(source.data);
  if (!parsed.success) throw schemaError(source, parsed.error.issues);
  return parsed.data;
}
