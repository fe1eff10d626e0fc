// The waivers file (--waivers FILE): accepted risks, each with a reason, an owner and an expiry
// date, so that no waiver hides a finding silently or forever. Its zod schema is published as
// schemas/waivers.schema.json.
import { z } from 'zod';

/** A calendar date that exists (2027-02-30 does not). */
const IsoDate = z
  .string()
  .regex(/^\d{4}-\d{2}-\d{2}$/, 'must be a date written YYYY-MM-DD')
  .refine((d) => !Number.isNaN(Date.parse(`${d}T00:00:00Z`)) && new Date(`${d}T00:00:00Z`).toISOString().startsWith(d), 'is not a calendar date');

const onlyWildcards = (s: string) => /^[*?]+$/.test(s);

export const WaiverEntry = z
  .object({
    rule: z
      .string()
      .regex(/^[a-z0-9*?-]+$/, 'must be a rule id or a glob over rule ids (letters a-z, digits, "-", "*" and "?")')
      .describe('rule id, or a glob over rule ids ("*" any characters, "?" one character), e.g. monitoring-*'),
    resource: z
      .string({
        // YAML reads unquoted digits as a number, and a number loses an account id's leading zeros.
        error: (issue) => (typeof issue.input === 'number' ? 'an account id must be quoted, e.g. "012345678901" (unquoted, YAML reads a number)' : undefined),
      })
      .min(1)
      .describe(
        'the resource: its ARN or id, a glob over its ARN or id ("*" matches any characters, "/" and ":" included), or a 12-digit account id meaning every resource of that account',
      ),
    reason: z.string().trim().min(10, 'must say why the risk is accepted (at least 10 characters)').describe('why this risk is accepted'),
    owner: z.string().trim().min(1, 'must name who answers for the waiver').describe('who answers for the waiver (a person or a team)'),
    expires: IsoDate.describe('last day the waiver applies (YYYY-MM-DD, UTC); from the next day on it is expired and reported'),
  })
  .strict()
  .refine((w) => !(onlyWildcards(w.rule) && onlyWildcards(w.resource)), {
    message: 'a waiver must name a rule or a resource: rule and resource cannot both be only wildcards',
    path: ['resource'],
  });
export type WaiverEntry = z.infer<typeof WaiverEntry>;

export const WaiversFile = z
  .object({
    waivers: z.array(WaiverEntry).describe('the accepted risks; a FAIL finding takes the first unexpired waiver that matches it'),
  })
  .strict();
export type WaiversFile = z.infer<typeof WaiversFile>;

export function waiversJsonSchema(): Record<string, unknown> {
  return {
    $id: 'https://github.com/trailwarden/trailwarden/schemas/waivers.schema.json',
    title: 'trailwarden waivers',
    ...z.toJSONSchema(WaiversFile, { target: 'draft-2020-12', io: 'input', unrepresentable: 'any' }),
  };
}

const WaiverRef = z
  .object({
    line: z.number().int().nullable().describe('line of the waiver in its file'),
    rule: z.string(),
    resource: z.string(),
    reason: z.string(),
    owner: z.string(),
    expires: z.string(),
    fail: z.number().int().min(0).describe('FAIL findings the waiver matches'),
    error: z.number().int().min(0).describe('ERROR findings the waiver matches (a waiver never hides an ERROR)'),
  })
  .strict();
export type WaiverRef = z.infer<typeof WaiverRef>;

/** What the waivers did in one evaluation: report.json's top-level "waivers" section. */
export const WaiversOutcome = z
  .object({
    file: z.string().describe('the waivers file, as named on the command line'),
    total: z.number().int().min(0).describe('waivers in the file'),
    applied: z.number().int().min(0).describe('FAIL findings waived'),
    expired: z.array(WaiverRef).describe('waivers whose expiry date is before the evaluation time: they no longer apply'),
    unmatched: z.array(WaiverRef).describe('unexpired waivers that match no FAIL finding (fixed, gone, or mistyped)'),
    matchedErrors: z.array(WaiverRef).describe('unexpired waivers that match ERROR findings, which they do not hide'),
  })
  .strict();
export type WaiversOutcome = z.infer<typeof WaiversOutcome>;
