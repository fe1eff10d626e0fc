// evidence.json: what produced the bundle and everything `verify` needs to evaluate it again
// (the evaluation time, framework, rules directories, config, report formats). Covered by the
// manifest like every other file.
import { z } from 'zod';

export const EVIDENCE_FILE = 'evidence.json';
export const EVIDENCE_FORMAT = 'trailwarden-evidence';
export const SNAPSHOT_FILE = 'snapshot.json';
export const API_CALLS_FILE = 'api-calls.jsonl';
export const REPORTS_DIR = 'reports';
export const RULES_DIR = 'rules';
export const CONFIG_DIR = 'config';
export const WAIVERS_DIR = 'waivers';
export const BASELINE_DIR = 'baseline';

const InputFile = z.object({ path: z.string().describe('in the bundle'), source: z.string().describe('as named on the command line') }).strict();

export const EvidenceMetadata = z
  .object({
    format: z.literal(EVIDENCE_FORMAT),
    formatVersion: z.literal(1),
    tool: z.object({ name: z.literal('trailwarden'), version: z.string() }).strict(),
    runtime: z.object({ node: z.string(), platform: z.string() }).strict(),
    createdAt: z.string().describe('when the bundle was completed'),
    command: z.literal('scan'),
    scan: z
      .object({
        startedAt: z.string(),
        finishedAt: z.string(),
        complete: z.boolean(),
        options: z.record(z.string(), z.unknown()).describe('the scan flags as given (secrets withheld)'),
      })
      .strict(),
    evaluation: z
      .object({
        at: z.string().describe('the evaluation clock (report.json generatedAt); verify evaluates at this time'),
        framework: z.string().nullable(),
        failOn: z.string(),
        allowIncomplete: z.boolean(),
        selection: z
          .object({ severities: z.array(z.string()).optional(), onlyRules: z.array(z.string()).optional(), excludeRules: z.array(z.string()).optional(), statuses: z.array(z.string()).optional() })
          .strict()
          .optional()
          .describe('--severity, --only-rules, --exclude-rules and --status as given: verify applies them again'),
      })
      .strict(),
    snapshot: z.string(),
    reports: z.array(z.object({ format: z.string(), path: z.string() }).strict()),
    rules: z
      .object({
        sha256: z.string().describe('the rules pack hash, as in report.json rulesPack.sha256'),
        count: z.number().int(),
        dirs: z.array(z.object({ path: z.string(), source: z.string() }).strict()).describe('loaded in this order'),
      })
      .strict(),
    config: InputFile.nullable(),
    waivers: InputFile.nullable().describe('the --waivers file: part of the evaluation'),
    baseline: InputFile.nullable().describe('the --baseline report: it only moves the exit code, and is kept for the record'),
    apiCalls: z
      .object({
        path: z.string(),
        records: z.number().int(),
        content: z.string(),
        redaction: z.string(),
      })
      .strict(),
    logIntegrity: z
      .object({
        index: z.string().describe('one JSON line per digest read: stream, region, bucket, key, the stored object and its S3 metadata, or why it was not read'),
        publicKeys: z.string().describe('the CloudTrail public keys used, per region'),
        digests: z.number().int(),
        objects: z.number().int(),
      })
      .strict()
      .optional()
      .describe('scan --verify-logs: what verify needs to check the digest signatures and chains again offline'),
  })
  .strict();
export type EvidenceMetadata = z.infer<typeof EvidenceMetadata>;
