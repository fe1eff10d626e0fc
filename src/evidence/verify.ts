// `trailwarden verify DIR`: offline checks of an evidence bundle. Integrity: every file's hash
// against the manifest, the manifest's against manifest.sha256 (and, if given, against a hash
// kept elsewhere). Consistency: the bundled snapshot, evaluated again with the bundled rules
// and config at the recorded time, must give the bundled reports byte for byte, and the API
// call log must hold exactly the calls the snapshot counted. Every problem is named.
import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { readFile, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { evaluateSnapshot, type Prepared } from '../core/pipeline.js';
import { DEFAULT_CONFIG, loadConfig } from '../config/config.js';
import { loadRules } from '../engine/load.js';
import { loadSnapshot } from '../inventory/load.js';
import { Snapshot } from '../inventory/schema.js';
import { renderChunks, renderText, reportFormat } from '../report/formats/index.js';
import { TOOL_VERSION } from '../version.js';
import { checkLogEvidence } from './verify-logs-offline.js';
import { loadWaivers } from '../waivers/load.js';
import { isSafeBundlePath, listFiles, Manifest, MANIFEST_CHECKSUM_FILE, MANIFEST_FILE, MANIFEST_FORMAT, readManifestChecksum, sha256File } from './manifest.js';
import { EVIDENCE_FILE, EvidenceMetadata, REPORTS_DIR } from './metadata.js';

export type ProblemKind = 'edited' | 'missing' | 'added' | 'manifest' | 'unreadable' | 'mismatch' | 'api-calls';

export interface Problem {
  kind: ProblemKind;
  /** The bundle file concerned, when there is one. */
  path: string | null;
  message: string;
}

export interface VerifyResult {
  dir: string;
  /** false: DIR is not an evidence bundle at all (exit 2). */
  isBundle: boolean;
  /** What was checked and found right, one line each. */
  checks: string[];
  problems: Problem[];
  /** SHA-256 of manifest.json as found; compare it with a copy kept elsewhere. */
  manifestSha256: string | null;
  metadata: EvidenceMetadata | null;
  /** Notes that are not problems (e.g. verified by another trailwarden version). */
  notes: string[];
}

export interface VerifyOptions {
  /** The manifest hash as recorded outside the bundle (ticket, WORM storage, signature). */
  expectedManifestSha256?: string;
}

const exists = async (path: string) => stat(path).then(
  () => true,
  () => false,
);

export async function verifyBundle(dir: string, options: VerifyOptions = {}): Promise<VerifyResult> {
  const result: VerifyResult = { dir, isBundle: true, checks: [], problems: [], manifestSha256: null, metadata: null, notes: [] };
  const problem = (kind: ProblemKind, path: string | null, message: string) => result.problems.push({ kind, path, message });
  const notBundle = (why: string): VerifyResult => ({ ...result, isBundle: false, problems: [{ kind: 'unreadable', path: null, message: why }] });

  const st = await stat(dir).catch(() => null);
  if (!st) return notBundle(`${dir} does not exist`);
  if (!st.isDirectory()) return notBundle(`${dir} is not a directory`);
  const hasManifest = await exists(join(dir, MANIFEST_FILE));
  const hasChecksum = await exists(join(dir, MANIFEST_CHECKSUM_FILE));
  if (!hasManifest && !hasChecksum) return notBundle(`${dir} is not an evidence bundle (no ${MANIFEST_FILE})`);
  // Only regular files are ever opened: a read of a FIFO waits forever for a writer, a device
  // reads without end, a symlink points anywhere. A bundle holding one was not written by
  // trailwarden (writeManifest refuses them), so each is named and nothing else is opened.
  const special = (await listFiles(dir)).filter((f) => !f.regular);
  for (const f of special) problem('edited', f.path, `${f.path} is not a regular file (a symlink, FIFO or other special file): not opened, and the rest of the bundle not checked`);
  if (special.length) return result;

  const manifest = await checkManifest(dir, hasManifest, hasChecksum, options, result, problem);
  if (manifest === 'not-a-bundle') return notBundle(`${dir} is not an evidence bundle (${MANIFEST_FILE} is not a trailwarden manifest)`);
  if (manifest) await checkFiles(dir, manifest, result, problem);

  const metadata = await readMetadata(dir, problem);
  result.metadata = metadata;
  if (metadata) {
    const snapshot = await reevaluate(dir, metadata, result, problem);
    if (snapshot) await checkApiCalls(dir, metadata, snapshot, result, problem);
    if (snapshot) await checkLogEvidence(dir, metadata, snapshot, result.checks, problem);
  }
  return result;
}

type AddProblem = (kind: ProblemKind, path: string | null, message: string) => void;

async function checkManifest(
  dir: string,
  hasManifest: boolean,
  hasChecksum: boolean,
  options: VerifyOptions,
  result: VerifyResult,
  problem: AddProblem,
): Promise<Manifest | null | 'not-a-bundle'> {
  if (!hasManifest) {
    problem('missing', MANIFEST_FILE, `${MANIFEST_FILE} is missing`);
    return null;
  }
  const text = await readFile(join(dir, MANIFEST_FILE));
  const actual = await sha256File(join(dir, MANIFEST_FILE));
  result.manifestSha256 = actual;
  let parsed: unknown;
  try {
    parsed = JSON.parse(text.toString('utf8'));
  } catch {
    parsed = undefined;
  }
  const isOurs = (parsed as { format?: unknown } | undefined)?.format === MANIFEST_FORMAT;
  if (!isOurs && !hasChecksum) return 'not-a-bundle';

  if (!hasChecksum) problem('missing', MANIFEST_CHECKSUM_FILE, `${MANIFEST_CHECKSUM_FILE} is missing: the manifest itself cannot be checked`);
  else {
    const recorded = await readManifestChecksum(dir);
    if (!recorded) problem('edited', MANIFEST_CHECKSUM_FILE, `${MANIFEST_CHECKSUM_FILE} is not a "<sha256>  manifest.json" line`);
    else if (recorded !== actual) problem('edited', MANIFEST_FILE, `${MANIFEST_FILE} was changed: its SHA-256 is ${actual}, ${MANIFEST_CHECKSUM_FILE} records ${recorded}`);
    else result.checks.push(`${MANIFEST_FILE} matches ${MANIFEST_CHECKSUM_FILE} (sha256 ${actual})`);
  }
  if (options.expectedManifestSha256 !== undefined) {
    const expected = options.expectedManifestSha256.toLowerCase();
    if (expected !== actual) problem('manifest', MANIFEST_FILE, `${MANIFEST_FILE} has SHA-256 ${actual}, not the expected ${expected}`);
    else result.checks.push(`${MANIFEST_FILE} has the expected SHA-256 given with --manifest-sha256`);
  }
  const manifest = Manifest.safeParse(parsed);
  if (!manifest.success) {
    const issue = manifest.error.issues[0];
    problem('unreadable', MANIFEST_FILE, `${MANIFEST_FILE} is not a valid manifest${issue ? ` (${issue.path.join('.') || 'root'}: ${issue.message})` : ''}: file hashes cannot be checked`);
    return null;
  }
  return manifest.data;
}

async function checkFiles(dir: string, manifest: Manifest, result: VerifyResult, problem: AddProblem): Promise<void> {
  const onDisk = new Map((await listFiles(dir)).map((f) => [f.path, f]));
  const listed = new Set<string>();
  let good = 0;
  for (const entry of manifest.files) {
    if (!isSafeBundlePath(entry.path) || entry.path === MANIFEST_FILE || entry.path === MANIFEST_CHECKSUM_FILE) {
      problem('manifest', entry.path, `${MANIFEST_FILE} lists a path that cannot be part of a bundle: ${JSON.stringify(entry.path)}`);
      continue;
    }
    if (listed.has(entry.path)) {
      problem('manifest', entry.path, `${MANIFEST_FILE} lists ${entry.path} twice`);
      continue;
    }
    listed.add(entry.path);
    const file = onDisk.get(entry.path);
    if (!file) {
      problem('missing', entry.path, `${entry.path} is missing`);
      continue;
    }
    if (!file.regular) {
      problem('edited', entry.path, `${entry.path} is not a regular file (a symlink or special file)`);
      continue;
    }
    const actual = await sha256File(join(dir, entry.path));
    if (actual !== entry.sha256) {
      problem('edited', entry.path, `${entry.path} was changed: SHA-256 ${actual} (${file.bytes} bytes), the manifest records ${entry.sha256} (${entry.bytes} bytes)`);
      continue;
    }
    good++;
  }
  for (const path of onDisk.keys()) {
    if (path === MANIFEST_FILE || path === MANIFEST_CHECKSUM_FILE || listed.has(path)) continue;
    problem('added', path, `${path} was added: it is not in the manifest`);
  }
  if (good === manifest.files.length) result.checks.push(`all ${good} files match their SHA-256 in ${MANIFEST_FILE}`);
}

async function readMetadata(dir: string, problem: AddProblem): Promise<EvidenceMetadata | null> {
  let raw: unknown;
  try {
    raw = JSON.parse(await readFile(join(dir, EVIDENCE_FILE), 'utf8'));
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    problem('unreadable', EVIDENCE_FILE, `${EVIDENCE_FILE} ${code === 'ENOENT' ? 'is missing' : `cannot be read (${(err as Error).message})`}: the reports cannot be evaluated again`);
    return null;
  }
  const parsed = EvidenceMetadata.safeParse(raw);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    problem('unreadable', EVIDENCE_FILE, `${EVIDENCE_FILE} is not valid (${issue.path.join('.') || 'root'}: ${issue.message}): the reports cannot be evaluated again`);
    return null;
  }
  const m = parsed.data;
  const paths = [m.snapshot, m.apiCalls.path, ...m.reports.map((r) => r.path), ...m.rules.dirs.map((d) => d.path), ...[m.config, m.waivers, m.baseline].flatMap((f) => (f ? [f.path] : []))];
  const unsafe = paths.find((p) => !isSafeBundlePath(p));
  if (unsafe) {
    problem('unreadable', EVIDENCE_FILE, `${EVIDENCE_FILE} points outside the bundle (${JSON.stringify(unsafe)})`);
    return null;
  }
  return m;
}

const messageOf = (err: unknown) => (err instanceof Error ? err.message : String(err));

async function reevaluate(dir: string, m: EvidenceMetadata, result: VerifyResult, problem: AddProblem): Promise<Snapshot | null> {
  if (m.tool.version !== TOOL_VERSION) {
    result.notes.push(`the bundle was written by trailwarden ${m.tool.version} and is verified by ${TOOL_VERSION}: the reports are only guaranteed to be reproduced by the same version`);
  }
  let snapshot: Snapshot;
  try {
    snapshot = await readSnapshot(join(dir, m.snapshot));
  } catch (err) {
    problem('unreadable', m.snapshot, `cannot load the snapshot: ${messageOf(err)}`);
    return null;
  }
  let prepared: Prepared;
  try {
    const pack = await loadRules(m.rules.dirs.map((d) => join(dir, d.path)));
    const config = m.config ? await loadConfig(join(dir, m.config.path)) : DEFAULT_CONFIG;
    const waivers = m.waivers ? await loadWaivers(join(dir, m.waivers.path), m.waivers.source, pack.rules.map((r) => r.id)) : null;
    // The gate (failOn, baseline) only sets the exit code; the reports do not depend on it.
    prepared = { pack, config, waivers, baseline: null, formats: m.reports.map((r) => r.format), failOn: 'high', ...(m.evaluation.selection ? { selection: m.evaluation.selection } : {}) };
    if (pack.sha256 !== m.rules.sha256) {
      problem('mismatch', m.rules.dirs[0]?.path ?? null, `the bundled rules pack hashes to ${pack.sha256}, ${EVIDENCE_FILE} records ${m.rules.sha256}`);
    }
  } catch (err) {
    problem('unreadable', null, `cannot load the bundled rules pack, config or waivers: ${messageOf(err)}`);
    return snapshot;
  }
  const at = new Date(m.evaluation.at);
  if (Number.isNaN(at.getTime())) {
    problem('unreadable', EVIDENCE_FILE, `evaluation.at ${JSON.stringify(m.evaluation.at)} is not a time`);
    return snapshot;
  }
  // Every file in reports/ must be one that is re-rendered below: a report left out of
  // evidence.json (with the manifest rewritten to match) would otherwise be trusted unchecked.
  const listed = new Set(m.reports.map((r) => r.path));
  const present = (await listFiles(dir)).map((f) => f.path).filter((p) => p.startsWith(`${REPORTS_DIR}/`));
  for (const path of present) {
    if (!listed.has(path)) problem('mismatch', path, `${path} is in the bundle but not among the reports ${EVIDENCE_FILE} records, so it cannot be re-evaluated: do not trust it`);
  }
  if (!m.reports.length) problem('mismatch', EVIDENCE_FILE, `${EVIDENCE_FILE} records no report, so nothing could be re-evaluated`);
  const outcome = evaluateSnapshot(snapshot, prepared, m.evaluation.framework ?? undefined, at);
  let same = 0;
  for (const { format: name, path } of m.reports) {
    const format = reportFormat(name);
    if (!format) {
      problem('mismatch', path, `${path}: this trailwarden (${TOOL_VERSION}) has no "${name}" format to render it again`);
      continue;
    }
    let actual: string;
    try {
      // Compared by hash first, hashing the rendered chunks as they come: a large report.json
      // need not exist as one string. Only a mismatch is rendered whole, to say where it differs.
      const hash = createHash('sha256');
      for (const chunk of await renderChunks(format, outcome)) hash.update(chunk);
      if ((await sha256File(join(dir, path))) === hash.digest('hex')) {
        same++;
        continue;
      }
      actual = await readFile(join(dir, path), 'utf8');
    } catch (err) {
      problem('unreadable', path, `${path} cannot be read (${messageOf(err)})`);
      continue;
    }
    const expected = await renderText(format, outcome);
    problem('mismatch', path, `${path} is not what the bundled snapshot, rules and config give at ${m.evaluation.at}: ${describeDifference(name, actual, expected)}`);
  }
  if (same === m.reports.length) {
    result.checks.push(
      `re-evaluated ${m.snapshot} with the bundled rules pack (${prepared.pack.rules.length} rules, sha256 ${prepared.pack.sha256.slice(0, 12)}…)` +
        `${[m.config, m.waivers].map((f) => (f ? `, ${f.path}` : '')).join('')} at ${m.evaluation.at}: ${same} report(s) identical (${m.reports.map((r) => r.path).join(', ')})`,
    );
  }
  return snapshot;
}

/**
 * JSON.parse first: a 1,000-account snapshot is over 100 MB, and the line-numbering YAML parser
 * of loadSnapshot needs several times that in memory. It is used only to say what is wrong.
 */
async function readSnapshot(file: string): Promise<Snapshot> {
  try {
    const parsed = Snapshot.safeParse(JSON.parse(await readFile(file, 'utf8')));
    if (parsed.success) return parsed.data;
  } catch {
    // not JSON: loadSnapshot names the line
  }
  return loadSnapshot(file);
}

/** Where a regenerated report first differs from the bundled one. */
function describeDifference(format: string, actual: string, expected: string): string {
  if (format === 'json') {
    try {
      const at = firstDifference(JSON.parse(actual), JSON.parse(expected), '');
      if (at) return `first difference at ${at.path || '(root)'}: the file has ${at.actual}, re-evaluation gives ${at.expected}`;
    } catch {
      return 'the file is not valid JSON';
    }
  }
  const a = actual.split('\n');
  const e = expected.split('\n');
  const line = a.findIndex((l, i) => l !== e[i]);
  return `first difference at line ${(line === -1 ? a.length : line) + 1}`;
}

const show = (v: unknown) => {
  const text = JSON.stringify(v) ?? 'nothing';
  return text.length > 80 ? `${text.slice(0, 77)}...` : text;
};

function firstDifference(a: unknown, b: unknown, path: string): { path: string; actual: string; expected: string } | null {
  if (Object.is(a, b)) return null;
  if (typeof a !== 'object' || typeof b !== 'object' || a === null || b === null || Array.isArray(a) !== Array.isArray(b)) {
    return { path, actual: show(a), expected: show(b) };
  }
  if (Array.isArray(a) && Array.isArray(b)) {
    for (let i = 0; i < Math.max(a.length, b.length); i++) {
      const d = firstDifference(a[i], b[i], `${path}[${i}]`);
      if (d) return d;
    }
    return null;
  }
  const ao = a as Record<string, unknown>;
  const bo = b as Record<string, unknown>;
  for (const key of new Set([...Object.keys(ao), ...Object.keys(bo)])) {
    const d = firstDifference(ao[key], bo[key], path ? `${path}.${key}` : key);
    if (d) return d;
  }
  return null;
}

/** api-calls.jsonl against the snapshot's own call statistics: same calls, per account, region and operation. */
async function checkApiCalls(dir: string, m: EvidenceMetadata, snapshot: Snapshot, result: VerifyResult, problem: AddProblem): Promise<void> {
  const counts = new Map<string, number>();
  let lines = 0;
  let bad = 0;
  try {
    const input = createInterface({ input: createReadStream(join(dir, m.apiCalls.path)), crlfDelay: Infinity });
    for await (const line of input) {
      lines++;
      let rec: { accountId?: unknown; region?: unknown; operation?: unknown };
      try {
        rec = JSON.parse(line) as typeof rec;
      } catch {
        if (bad++ === 0) problem('api-calls', m.apiCalls.path, `${m.apiCalls.path} line ${lines} is not JSON`);
        continue;
      }
      const key = `${String(rec.accountId)}|${String(rec.region)}|${String(rec.operation)}`;
      counts.set(key, (counts.get(key) ?? 0) + 1);
    }
  } catch (err) {
    problem('unreadable', m.apiCalls.path, `${m.apiCalls.path} cannot be read (${messageOf(err)})`);
    return;
  }
  if (lines !== m.apiCalls.records) {
    problem('api-calls', m.apiCalls.path, `${m.apiCalls.path} has ${lines} line(s), ${EVIDENCE_FILE} records ${m.apiCalls.records}`);
  }
  const expected = new Map<string, number>();
  for (const row of snapshot.stats.apiCalls) {
    for (const [op, n] of Object.entries(row.byOperation)) expected.set(`${row.accountId}|${row.region}|${op}`, n);
  }
  const differing = [...new Set([...counts.keys(), ...expected.keys()])].filter((k) => (counts.get(k) ?? 0) !== (expected.get(k) ?? 0)).sort();
  if (differing.length === 0) {
    result.checks.push(`${m.apiCalls.path} holds ${lines} call(s), exactly the calls ${m.snapshot} counts per account, region and operation`);
    return;
  }
  const sample = differing.slice(0, 5).map((k) => `${k.replaceAll('|', ' ')}: ${counts.get(k) ?? 0} logged, ${expected.get(k) ?? 0} counted`).join('; ');
  const message = `${m.apiCalls.path} does not hold the calls ${m.snapshot} counts (${differing.length} account/region/operation(s) differ, e.g. ${sample})`;
  // An interrupted scan counts calls that were queued and then dropped unsent; those are not logged.
  if (snapshot.complete) problem('api-calls', m.apiCalls.path, message);
  else result.notes.push(`${message}; the scan was interrupted, so calls dropped before sending are counted but not logged`);
}
