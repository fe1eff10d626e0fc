// Reading a saved report.json (--baseline, trailwarden diff): a malformed file is an input error
// naming the file, the line and what is wrong.
import { readFile } from 'node:fs/promises';
import { InputError } from '../util/input-error.js';
import { parseYaml, schemaError } from '../util/yaml-source.js';
import { Report, REPORT_SCHEMA_VERSION } from './report.js';

export async function loadReport(file: string): Promise<Report> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (err) {
    throw new InputError(file, null, `cannot read the report (${(err as NodeJS.ErrnoException).code ?? (err as Error).message})`);
  }
  // A well-formed report is read with JSON.parse (a 1,000-account report.json is hundreds of MB);
  // anything else goes to the YAML parser, which names the line of what is wrong (JSON is YAML).
  try {
    const fast = Report.safeParse(JSON.parse(text));
    if (fast.success && fast.data.schemaVersion === REPORT_SCHEMA_VERSION) return fast.data;
  } catch {
    // not JSON: the YAML parser below says where
  }
  const source = parseYaml(file, text);
  const data = source.data as { schemaVersion?: unknown; findings?: unknown; trails?: unknown } | null;
  if (!Array.isArray(data?.findings)) {
    const hint = Array.isArray(data?.trails) ? ': this is a snapshot; give the report.json written beside it' : ' (it has no "findings")';
    throw new InputError(file, 1, `not a trailwarden report.json${hint}`);
  }
  if (data?.schemaVersion !== REPORT_SCHEMA_VERSION) {
    throw new InputError(file, source.lineOf(['schemaVersion']), `report schemaVersion ${JSON.stringify(data?.schemaVersion)} is not supported (expected "${REPORT_SCHEMA_VERSION}")`);
  }
  const parsed = Report.safeParse(source.data);
  if (!parsed.success) throw schemaError(source, parsed.error.issues);
  return parsed.data;
}
