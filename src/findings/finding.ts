// A verdict on one rule for one resource: the unit every report format derives from.
import { createHash } from 'node:crypto';
import type { Severity } from '../engine/rule-schema.js';
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
  evidence: Record<string, unknown>;
}

/** Stable across runs and machines: the same rule on the same resource is the same finding. */
export function fingerprint(ruleId: string, resource: Pick<ResourceRef, 'type' | 'id'>): string {
  return createHash('sha256').update(`${ruleId}\n${resource.type}\n${resource.id}`).digest('hex').slice(0, 32);
}
