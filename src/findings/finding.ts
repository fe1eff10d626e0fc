// A verdict on one rule for one resource: the unit every report format derives from.
import { hash } from 'node:crypto';
import { FIX_KINDS, type Severity } from '../engine/rule-schema.js';
import type { ResourceRef } from '../engine/view.js';

export const STATUSES = ['PASS', 'FAIL', 'ERROR', 'NOT_APPLICABLE'] as const;
export type Status = (typeof STATUSES)[number];

export interface RenderedRemediation {
  summary: string;
  console: string[];
  cli: string;
  terraform: string;
  cloudformation: string;
}

/** A rule's fix kinds, plus the two an ERROR is fixed on: the member role (access) and an IAM action (permission). */
export const FIX_TARGET_KINDS = [...FIX_KINDS, 'access', 'permission'] as const;
export type FixTargetKind = (typeof FIX_TARGET_KINDS)[number];

/** The thing to change to resolve a FAIL or ERROR: the fix plan groups findings by (kind, target). */
export interface FixTarget {
  kind: FixTargetKind;
  /** An ARN, a bucket name, an account or organization id, or an IAM action. */
  target: string;
  /** The account that owns the target, when one does. */
  accountId: string | null;
}

export interface Waiver {
  reason: string;
  owner: string;
  expires: string;
}

export interface Finding {
  fingerprint: string;
  ruleId: string;
  title: string;
  severity: Severity;
  status: Status;
  waiver: Waiver | null;
  accountId: string;
  accountName: string;
  region: string | null;
  resource: ResourceRef;
  message: string;
  frameworks: Record<string, string[]>;
  /** Rendered for FAIL and ERROR; null for PASS and NOT_APPLICABLE, which have nothing to fix. */
  remediation: RenderedRemediation | null;
  /** FAIL and ERROR: what to change (the fix plan); null otherwise. Absent in reports made before it. */
  fixedOn?: FixTarget | null;
  evidence: Record<string, unknown>;
}

/** Stable across runs and machines: the same rule on the same resource is the same finding. */
export function fingerprint(ruleId: string, resource: Pick<ResourceRef, 'type' | 'id'>): string {
  // The first 16 bytes as hex. The one-shot hash() makes no Hash object and, as hex, no Buffer
  // either (each a backing store the collector tracks): a sixth of createHash()'s time. The slice
  // keeps the 64-character digest behind it while the finding lives; a spilled run's findings
  // live only until they are written, and what is kept of their fingerprints is packed.
  return hash('sha256', `${ruleId}\n${resource.type}\n${resource.id}`).slice(0, 32);
}
