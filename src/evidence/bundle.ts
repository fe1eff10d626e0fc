// Writing an evidence bundle (scan --evidence DIR). The rules pack and config are copied in
// before the first AWS call and proven to load back to the very pack the scan uses; the API
// calls stream into api-calls.jsonl during the scan; the snapshot and reports are copied in at
// the end, then evidence.json and, last, the manifest. A directory without manifest.json is
// not a bundle, so a scan that dies half-way never leaves something that passes for one.
import { copyFile, mkdir, readdir, readFile, rm, stat } from 'node:fs/promises';
import { basename, dirname, isAbsolute, join, relative, resolve, sep } from 'node:path';
import { isDeepStrictEqual } from 'node:util';
import { UsageError } from '../core/errors.js';
import { loadConfig, type Config } from '../config/config.js';
import { loadRules, type RulesPack } from '../engine/load.js';
import type { Snapshot } from '../inventory/schema.js';
import { reportFormat } from '../report/formats/index.js';
import { writeFileAtomic } from '../util/atomic-write.js';
import { loadWaivers, type WaiverSet } from '../waivers/load.js';
import { JsonlApiLog } from './api-log.js';
import { DIGEST_INDEX_FILE, LogEvidenceWriter, PUBLIC_KEYS_FILE } from './log-evidence.js';
import { writeManifest, sha256Text, MANIFEST_FILE } from './manifest.js';
import {
  API_CALLS_FILE,
  BASELINE_DIR,
  WAIVERS_DIR,
  CONFIG_DIR,
  EVIDENCE_FILE,
  EVIDENCE_FORMAT,
  REPORTS_DIR,
  RULES_DIR,
  SNAPSHOT_FILE,
  type EvidenceMetadata,
} from './metadata.js';
import { redact, withoutUserInfo } from './redact.js';

export interface EvidenceSources {
  /** Rules directories in load order: the built-in pack first, then each --rules. */
  rulesDirs: { dir: string; source: string }[];
  pack: RulesPack;
  config: { file: string; source: string; value: Config } | null;
  /** The loaded waivers; `file` is the name as given, which reports carry. */
  waivers: { file: string; value: WaiverSet } | null;
  baseline: { file: string; source: string } | null;
}

export interface EvidenceResult {
  dir: string;
  files: number;
  manifestSha256: string;
}

const inside = (parent: string, child: string) => {
  const rel = relative(parent, child);
  return !(rel === '..' || rel.startsWith(`..${sep}`) || isAbsolute(rel));
};

export class EvidenceBundle {
  private rulesDirs: EvidenceMetadata['rules']['dirs'] = [];
  private inputs: Pick<EvidenceMetadata, 'config' | 'waivers' | 'baseline'> = { config: null, waivers: null, baseline: null };
  /** scan --verify-logs: the digests and public keys the verifier read. */
  readonly logs: LogEvidenceWriter;

  private constructor(
    readonly dir: string,
    private readonly createdDir: boolean,
    readonly recorder: JsonlApiLog,
    private readonly pack: RulesPack,
  ) {
    this.logs = new LogEvidenceWriter(dir);
  }

  /**
   * Checks DIR (new or empty, apart from --out), copies the rules and config in and proves they
   * load to the same pack and config, then opens api-calls.jsonl for the scan.
   */
  static async open(dirArg: string, cwd: string, outDir: string, sources: EvidenceSources): Promise<EvidenceBundle> {
    const dir = resolve(cwd, dirArg);
    if (inside(dir, outDir) || inside(outDir, dir)) {
      throw new UsageError(`--evidence: ${dirArg} overlaps --out (${outDir}); the bundle needs a directory of its own`);
    }
    let createdDir = false;
    try {
      const st = await stat(dir);
      if (!st.isDirectory()) throw new UsageError(`--evidence: ${dirArg} exists and is not a directory`);
      if ((await readdir(dir)).length > 0) throw new UsageError(`--evidence: ${dirArg} is not empty; an evidence bundle needs a new or empty directory`);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
      await mkdir(dir, { recursive: true });
      createdDir = true;
    }
    try {
      const copied = await copyInputs(dir, sources);
      const bundle = new EvidenceBundle(dir, createdDir, new JsonlApiLog(join(dir, API_CALLS_FILE)), sources.pack);
      bundle.rulesDirs = copied.rulesDirs;
      bundle.inputs = copied.inputs;
      return bundle;
    } catch (err) {
      await clear(dir, createdDir);
      throw err;
    }
  }

  /** The scan could not start or failed: remove everything written, leave no bundle behind. */
  async abandon(): Promise<void> {
    await this.recorder.close().catch(() => undefined);
    await this.logs.close().catch(() => undefined);
    await clear(this.dir, this.createdDir);
  }

  /** Copies the snapshot and reports in, writes evidence.json and the manifest. */
  async finish(run: {
    snapshot: Snapshot;
    snapshotFile: string;
    outDir: string;
    formats: string[];
    evaluatedAt: Date;
    framework: string | null;
    failOn: string;
    allowIncomplete: boolean;
    selection?: EvidenceMetadata['evaluation']['selection'];
    scanOptions: Record<string, unknown>;
    toolVersion: string;
  }): Promise<EvidenceResult> {
    await this.recorder.close();
    const logs = await this.logs.close();
    const { dir } = this;
    await copyFile(run.snapshotFile, join(dir, SNAPSHOT_FILE));
    const reports: EvidenceMetadata['reports'] = [];
    for (const name of run.formats) {
      const format = reportFormat(name);
      if (!format) throw new Error(`evidence bundle: unknown report format ${name}`);
      const path = `${REPORTS_DIR}/${format.file}`;
      await mkdir(join(dir, REPORTS_DIR), { recursive: true });
      await copyFile(join(run.outDir, format.file), join(dir, path));
      reports.push({ format: name, path });
    }
    const createdAt = new Date().toISOString();
    const { endpointUrl, ...options } = run.scanOptions;
    const metadata: EvidenceMetadata = {
      format: EVIDENCE_FORMAT,
      formatVersion: 1,
      tool: { name: 'trailwarden', version: run.toolVersion },
      runtime: { node: process.version, platform: `${process.platform}-${process.arch}` },
      createdAt,
      command: 'scan',
      scan: {
        startedAt: run.snapshot.startedAt,
        finishedAt: run.snapshot.finishedAt,
        complete: run.snapshot.complete,
        options: { ...(redact(options).value as Record<string, unknown>), endpointUrl: withoutUserInfo(endpointUrl as string | undefined) },
      },
      evaluation: { at: run.evaluatedAt.toISOString(), framework: run.framework, failOn: run.failOn, allowIncomplete: run.allowIncomplete, ...(run.selection ? { selection: run.selection } : {}) },
      snapshot: SNAPSHOT_FILE,
      reports,
      rules: { sha256: this.pack.sha256, count: this.pack.rules.length, dirs: this.rulesDirs },
      ...this.inputs,
      apiCalls: {
        path: API_CALLS_FILE,
        records: this.recorder.count,
        content:
          'one JSON object per line and per AWS call: account, region, service, operation, input, the SDK\'s deserialized output ' +
          '(not the raw HTTP body) or the error code and message, HTTP status, request id, attempts, start time and duration',
        redaction:
          'fields named like authorization, secret, token, credential, password, passphrase, access key id, private key, ' +
          'external id or signature are replaced by "[redacted]" (sts:AssumeRole Credentials among them); each line lists ' +
          'the paths it redacted. HTTP headers are never recorded.',
      },
    };
    if (logs) metadata.logIntegrity = { index: DIGEST_INDEX_FILE, publicKeys: PUBLIC_KEYS_FILE, ...logs };
    await writeFileAtomic(join(dir, EVIDENCE_FILE), `${JSON.stringify(metadata, null, 2)}\n`);
    const manifest = await writeManifest(dir, { createdAt, toolVersion: run.toolVersion });
    const manifestText = await readFile(join(dir, MANIFEST_FILE));
    return { dir, files: manifest.files.length, manifestSha256: sha256Text(manifestText) };
  }
}

async function copyInputs(dir: string, sources: EvidenceSources) {
  const rulesDirs: EvidenceMetadata['rules']['dirs'] = [];
  const bundleDirs: string[] = [];
  let custom = 0;
  for (const [i, { dir: from, source }] of sources.rulesDirs.entries()) {
    const label = i === 0 ? 'builtin' : `custom-${++custom}`;
    const to = `${RULES_DIR}/${label}`;
    await mkdir(join(dir, to), { recursive: true });
    for (const rule of sources.pack.rules) {
      if (resolve(dirname(rule.file)) !== resolve(from)) continue;
      await copyFile(rule.file, join(dir, to, basename(rule.file)));
    }
    rulesDirs.push({ path: to, source });
    bundleDirs.push(join(dir, to));
  }
  // The copies must be the pack the scan uses: a file edited since it was loaded is caught now.
  const reloaded = await loadRules(bundleDirs);
  if (reloaded.sha256 !== sources.pack.sha256) {
    throw new UsageError('--evidence: a rule file changed while the scan was starting; run the scan again');
  }
  let config: EvidenceMetadata['config'] = null;
  if (sources.config) {
    const path = `${CONFIG_DIR}/${basename(sources.config.file)}`;
    await mkdir(join(dir, CONFIG_DIR), { recursive: true });
    await copyFile(sources.config.file, join(dir, path));
    const value = await loadConfig(join(dir, path));
    if (!isDeepStrictEqual(value, sources.config.value)) {
      throw new UsageError('--evidence: the configuration file changed while the scan was starting; run the scan again');
    }
    config = { path, source: sources.config.source };
  }
  let waivers: EvidenceMetadata['waivers'] = null;
  if (sources.waivers) {
    const { file, value } = sources.waivers;
    const path = `${WAIVERS_DIR}/${basename(file)}`;
    await mkdir(join(dir, WAIVERS_DIR), { recursive: true });
    await copyFile(file, join(dir, path));
    const reloaded = await loadWaivers(join(dir, path), value.file, sources.pack.rules.map((r) => r.id));
    if (!isDeepStrictEqual(reloaded, value)) {
      throw new UsageError('--evidence: the waivers file changed while the scan was starting; run the scan again');
    }
    waivers = { path, source: value.file };
  }
  let baseline: EvidenceMetadata['baseline'] = null;
  if (sources.baseline) {
    const path = `${BASELINE_DIR}/${basename(sources.baseline.file)}`;
    await mkdir(join(dir, BASELINE_DIR), { recursive: true });
    await copyFile(sources.baseline.file, join(dir, path));
    baseline = { path, source: sources.baseline.source };
  }
  return { rulesDirs, inputs: { config, waivers, baseline } };
}

/** Removes what the bundle wrote: the directory if it made it, else only its contents (it was empty). */
async function clear(dir: string, createdDir: boolean): Promise<void> {
  if (createdDir) {
    await rm(dir, { recursive: true, force: true });
    return;
  }
  for (const entry of await readdir(dir).catch(() => [] as string[])) await rm(join(dir, entry), { recursive: true, force: true });
}
