// The fix plan's shape in report.json: one action per thing to change, with the findings it
// resolves. Built by src/core/fix-plan.ts; every renderer shows the actions first.
import { z } from 'zod';
import { SEVERITIES } from '../engine/rule-schema.js';
import { FIX_TARGET_KINDS } from '../findings/finding.js';

export const FixedOn = z
  .object({ kind: z.enum(FIX_TARGET_KINDS), target: z.string(), accountId: z.string().nullable() })
  .strict()
  .describe('what to change to resolve the finding: the fix plan groups FAIL and ERROR findings by (kind, target)');

export const FixAction = z
  .object({
    id: z.string().describe('stable hash of kind + target: the same thing to change has the same id in every run'),
    title: z.string(),
    kind: z.enum(FIX_TARGET_KINDS),
    target: z.string().describe('an ARN, a bucket name, an account or organization id, or an IAM action'),
    targetName: z.string().describe('a short name for the target'),
    accountId: z.string().nullable().describe('the account that owns the target, when one does'),
    impact: z.number().describe('severity-weighted count of the findings resolved (the HTML score weights)'),
    bySeverity: z.object(Object.fromEntries(SEVERITIES.map((s) => [s, z.number().int().min(0)])) as Record<(typeof SEVERITIES)[number], z.ZodNumber>).strict(),
    byStatus: z.object({ FAIL: z.number().int().min(0), ERROR: z.number().int().min(0) }).strict(),
    rules: z.array(z.string()).describe('the distinct rules behind the findings (fewer is less effort)'),
    accounts: z.array(z.string()).describe('the accounts whose findings it resolves'),
    findings: z.array(z.string()).describe('fingerprints of the findings it resolves'),
    remediation: z.string().describe('what to do: the remediation summary of the first finding resolved'),
  })
  .strict();
export type FixAction = z.infer<typeof FixAction>;
