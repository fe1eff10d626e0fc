// The rule file format: one YAML file per rule, validated here. The same zod schema produces the
// published JSON Schema (editor completion through `# yaml-language-server: $schema=...`).
import { z } from 'zod';

export const SEVERITIES = ['critical', 'high', 'medium', 'low', 'informational'] as const;
export const Severity = z.enum(SEVERITIES);
export type Severity = z.infer<typeof Severity>;

export const SCOPES = ['organization', 'account', 'account-region', 'trail', 'bucket', 'key', 'topic', 'log-group', 'log-stream', 'event-data-store'] as const;
export const Scope = z.enum(SCOPES);
export type Scope = z.infer<typeof Scope>;

/** Framework ids: `aws-fsbp`, `cis-aws-v1.4.0`, `nist-800-53-r5`, `pci-dss-v4.0`, or a user's own `x-...`. */
export const FRAMEWORK_ID = /^(aws-fsbp|cis-aws-v\d+\.\d+\.\d+|nist-800-53-r5|pci-dss-v4\.0|x-[a-z0-9-]+)$/;

const text = z.string().trim().min(1);

/** What a rule's FAIL is fixed on: the kind of thing to change (the fix plan groups findings by it). */
export const FIX_KINDS = ['trail', 'log-group', 'bucket', 'key', 'topic', 'account', 'organization', 'scp', 'event-data-store'] as const;
export const FixKind = z.enum(FIX_KINDS);
export type FixKind = z.infer<typeof FixKind>;

export const RuleFile = z
  .object({
    id: z.string().regex(/^[a-z0-9]+(-[a-z0-9]+)*$/, 'a lowercase slug like trail-log-file-validation'),
    title: text,
    severity: Severity,
    scope: Scope,
    description: text.describe('what the rule checks, in plain words'),
    rationale: text.describe('why it matters for the audit log'),
    forAny: z
      .enum(['trails', 'recorders'])
      .optional()
      .describe(
        'evaluate `assert` once per item (trails: each bound to `trail` and its linked resources; recorders: each trail and event data store covering the subject, bound to `recorder`): PASS if any item passes; ERROR if none passes and some could not be judged; FAIL otherwise',
      ),
    when: text.optional().describe('CEL; false -> NOT_APPLICABLE'),
    assert: text.describe('CEL; true -> PASS, false -> FAIL'),
    details: text
      .optional()
      .describe(
        'CEL returning a list of strings, evaluated only on FAIL: exactly what is wrong (the accounts left out, the public statements). Rendered by {{details}} in message.fail and the remediation, and kept in the evidence',
      ),
    requires: z.array(z.string().regex(/^[a-zA-Z]+\.[a-zA-Z][a-zA-Z0-9]*$/)).default([]).describe('facts whose collection failure makes the verdict ERROR'),
    parameters: z.array(z.string()).default([]).describe('configuration parameters the rule reads as params.<name>'),
    fixedOn: z
      .object({
        kind: FixKind,
        target: text.describe('CEL on the finding\'s variables giving the id (ARN, bucket name) of the thing to change'),
        action: text.optional().describe('the change as the start of a sentence ending with the target, for the fix plan\'s title ("Add the CIS metric filters and alarms to")'),
      })
      .strict()
      .optional()
      .describe(
        'what a FAIL is fixed on, for the fix plan; when the target is null or cannot be evaluated the finding\'s own resource is. Every built-in rule declares it (a meta-test)',
      ),
    message: z.object({ pass: text, fail: text }).strict(),
    frameworks: z.record(z.string().regex(FRAMEWORK_ID, 'a framework id such as aws-fsbp or cis-aws-v3.0.0'), z.array(text).min(1)).default({}),
    frameworksNote: text.optional().describe('why the rule maps to no framework, or what could not be verified'),
    remediation: z
      .object({
        summary: text,
        console: z.array(text).min(1),
        cli: text,
        terraform: text,
        cloudformation: text,
      })
      .strict(),
    references: z.array(z.string().url()).min(1),
    notes: text.optional(),
  })
  .strict();
export type RuleFile = z.infer<typeof RuleFile>;

export function ruleJsonSchema(): Record<string, unknown> {
  return {
    $id: 'https://github.com/trailwarden/trailwarden/schemas/rule.schema.json',
    title: 'trailwarden rule',
    ...z.toJSONSchema(RuleFile, { target: 'draft-2020-12', io: 'input', unrepresentable: 'any' }),
  };
}
