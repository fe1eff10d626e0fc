// Runs the real scan (real SDK clients over HTTP) against an emulator or proxy endpoint.
import { Ajv2020 } from 'ajv/dist/2020.js';
import addFormatsModule from 'ajv-formats';
import { readFileSync } from 'node:fs';
import { scan, type ScanOptions, type ScanResult } from '../../src/collect/scan.js';
import type { Snapshot } from '../../src/inventory/schema.js';
import { emulatorEnv } from './context.js';

export async function scanAt(endpoint: string, overrides: Partial<ScanOptions> = {}): Promise<ScanResult> {
  emulatorEnv(endpoint);
  return scan({
    toolVersion: 'test',
    roleName: 'OrganizationAccountAccessRole',
    concurrency: 16,
    perAccountConcurrency: 4,
    endpointUrl: endpoint,
    region: 'us-east-1',
    maxAttempts: 10,
    requestTimeoutMs: 10_000,
    ...overrides,
  });
}

// Formats asserted, not ignored: the snapshot's times are ISO 8601 date-times with their zone.
const ajv = (addFormatsModule as unknown as (a: Ajv2020) => Ajv2020)(new Ajv2020({ allErrors: true, strict: false }));
const validateSnapshot = ajv.compile(JSON.parse(readFileSync(new URL('../../schemas/snapshot.schema.json', import.meta.url), 'utf8')));

/** Validates against the published JSON Schema (not the zod source), as a consumer would. */
export function assertValidSnapshot(snapshot: Snapshot): void {
  const copy = JSON.parse(JSON.stringify(snapshot));
  if (!validateSnapshot(copy)) {
    throw new Error(`snapshot does not match schemas/snapshot.schema.json: ${ajv.errorsText(validateSnapshot.errors)}`);
  }
}

const validateReport = ajv.compile(JSON.parse(readFileSync(new URL('../../schemas/report.schema.json', import.meta.url), 'utf8')));

/** Validates a report against the published report JSON Schema. */
export function assertValidReport(report: unknown): void {
  const copy = JSON.parse(JSON.stringify(report));
  if (!validateReport(copy)) throw new Error(`report does not match schemas/report.schema.json: ${ajv.errorsText(validateReport.errors)}`);
}

/**
 * The snapshot with its timestamps masked: the scan's start and end, and the trail status
 * times (the emulator reports delivery "now", as real AWS does after each delivery).
 */
export function comparable(snapshot: Snapshot): unknown {
  const { startedAt: _s, finishedAt: _f, ...rest } = snapshot;
  return {
    ...rest,
    trails: rest.trails.map((t) => ({
      ...t,
      status: t.status && Object.fromEntries(Object.entries(t.status).map(([k, v]) => [k, k.endsWith('Time') && v !== null ? '<time>' : v])),
    })),
  };
}
