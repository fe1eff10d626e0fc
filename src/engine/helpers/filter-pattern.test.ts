import { describe, expect, it } from 'vitest';
import {
  CIS_EVENT_SOURCES,
  CIS_MONITORING_PATTERNS,
  coversCisMonitoring,
  type CisMonitoringRuleId,
} from './cis-monitoring-patterns.js';
import { covers, isParseError, MAX_CONJUNCTIONS, parseFilterPattern, type FilterExpr, type JsonExpr, type ParseError } from './filter-pattern.js';

function json(text: string): JsonExpr {
  const e = parseFilterPattern(text);
  if (isParseError(e)) throw new Error(`${text}: ${e.message} at ${e.position}`);
  if (e.type === 'non-json') throw new Error(`${text}: not JSON`);
  return e;
}

function parseError(text: string): ParseError {
  const e = parseFilterPattern(text);
  if (!isParseError(e)) throw new Error(`${text} parsed: ${JSON.stringify(e)}`);
  return e;
}

// Prints an expression with every operand list reversed, extra parentheses, odd spacing and the
// quoting of every simple string flipped: the same meaning in different text.
function reprint(e: JsonExpr): string {
  if ('operands' in e) return [...e.operands].reverse().map((o) => `( ${reprint(o)} )`).join(e.type === 'and' ? '  &&\n' : '||');
  if (e.type === 'postfix') return `${e.selector}   ${e.test}`;
  const v = e.value;
  const text = v.kind === 'number' ? v.text : v.kind === 'regex' ? `%${v.text}%` : v.quoted && /^[\w.*-]+$/.test(v.text) ? v.text : JSON.stringify(v.text);
  return `${e.selector}${e.op}${text}`;
}
const wrap = (e: JsonExpr): string => `{(${reprint(e)})}`;

// Removes the last `$.eventName = X` alternative from the first OR list that has one.
function dropOneEventName(e: JsonExpr): { expr: JsonExpr; dropped: string } | null {
  if (e.type !== 'and' && e.type !== 'or') return null;
  const idx = e.type === 'or' ? e.operands.findLastIndex((o) => o.type === 'compare' && o.selector === '$.eventName' && o.op === '=') : -1;
  const hit = e.operands[idx];
  if (hit?.type === 'compare') return { expr: { type: 'or', operands: e.operands.filter((_, i) => i !== idx) }, dropped: hit.value.text };
  for (const [i, o] of e.operands.entries()) {
    const r = dropOneEventName(o);
    if (r) return { expr: { type: e.type, operands: e.operands.map((x, j) => (j === i ? r.expr : x)) }, dropped: r.dropped };
  }
  return null;
}

const inner = (pattern: string): string => pattern.trim().slice(1, -1);

const ids = Object.keys(CIS_MONITORING_PATTERNS) as CisMonitoringRuleId[];
const cisTexts = ids.flatMap((id) => {
  const e = CIS_MONITORING_PATTERNS[id];
  return [
    { name: `${id} pattern`, text: e.pattern },
    ...(e.acceptedVariants ?? []).map((text, i) => ({ name: `${id} variant ${i + 1}`, text })),
    ...Object.entries(e.patternsByVersion ?? {}).map(([v, text]) => ({ name: `${id} ${v}`, text })),
  ];
});

describe('the CIS monitoring table', () => {
  it('has the fifteen rule ids, numbered 4.1 to 4.15 in every version', () => {
    expect(ids).toHaveLength(15);
    ids.forEach((id, i) => {
      const item = `4.${i + 1}`;
      expect(CIS_MONITORING_PATTERNS[id].cisItem).toEqual({ 'cis-aws-v1.4.0': item, 'cis-aws-v3.0.0': item, 'cis-aws-v5.0.0': item });
      expect(CIS_MONITORING_PATTERNS[id].source).not.toBe('');
    });
  });
  it.each(cisTexts)('$name parses as JSON', ({ text }) => {
    expect(() => json(text)).not.toThrow();
  });
});

describe('parseFilterPattern', () => {
  it('parses the documented JSON forms', () => {
    expect(json('{ $.eventType = "UpdateTrail" }')).toEqual({ type: 'compare', selector: '$.eventType', op: '=', value: { kind: 'string', text: 'UpdateTrail', quoted: true } });
    expect(json('{ $.sourceIPAddress != 123.123.* }')).toMatchObject({ op: '!=', value: { kind: 'string', text: '123.123.*', quoted: false } });
    expect(json('{ $.objectList[1].id = 2 }')).toMatchObject({ selector: '$.objectList[1].id', value: { kind: 'number', value: 2 } });
    expect(json('{ $.coordinates[0][1] = nonmatch }')).toMatchObject({ selector: '$.coordinates[0][1]' });
    expect(json('{ $.numbers[0] < 10e-3 }')).toMatchObject({ op: '<', value: { kind: 'number', value: 0.01 } });
    expect(json('{ $.latency > +1000 }')).toMatchObject({ op: '>', value: { kind: 'number', value: 1000 } });
    expect(json('{ $.message = %ERROR [0-9]+% }')).toMatchObject({ value: { kind: 'regex', text: 'ERROR [0-9]+' } });
    expect(json('{ $.name = "a \\"quoted\\" word" }')).toMatchObject({ value: { text: 'a "quoted" word' } });
    for (const test of ['IS NULL', 'NOT EXISTS', 'IS TRUE', 'IS FALSE'] as const) {
      expect(json(`{ $.SomeObject ${test} }`)).toEqual({ type: 'postfix', selector: '$.SomeObject', test });
    }
  });

  it('binds && tighter than ||, and parentheses override it (AWS: () > && > ||)', () => {
    const a = { selector: '$.a' };
    const b = { selector: '$.b' };
    const c = { selector: '$.c' };
    expect(json('{ $.a = 1 || $.b = 2 && $.c = 3 }')).toMatchObject({ type: 'or', operands: [a, { type: 'and', operands: [b, c] }] });
    expect(json('{ $.a = 1 && $.b = 2 || $.c = 3 }')).toMatchObject({ type: 'or', operands: [{ type: 'and', operands: [a, b] }, c] });
    expect(json('{ ($.a = 1 || $.b = 2) && $.c = 3 }')).toMatchObject({ type: 'and', operands: [{ type: 'or', operands: [a, b] }, c] });
  });

  it('reports errors with their position', () => {
    expect(parseError('{ $.eventName = "CreateTrail" ')).toMatchObject({ position: 30, message: expect.stringContaining("'}'") });
    expect(parseError('{ $.eventName == "x" }')).toMatchObject({ position: 15, message: expect.stringContaining("after '='") });
    expect(parseError('{ eventName = "x" }')).toMatchObject({ position: 2, message: expect.stringContaining('selector') });
    expect(parseError('{ $.a = "x }')).toMatchObject({ position: 8, message: 'unterminated string' });
    expect(parseError('{ $.latency > "fast" }')).toMatchObject({ position: 14, message: "'>' compares numbers only" });
    expect(parseError('{ $.a is null }')).toMatchObject({ position: 6 });
    expect(parseError('{ ($.a = 1 }')).toMatchObject({ position: 11, message: expect.stringContaining("')'") });
    expect(parseError('{ $.a = 1 } extra')).toMatchObject({ position: 12 });
    expect(parseError('{ $.a = b & $.c = d }')).toMatchObject({ position: 10, message: "unexpected character '&'" });
    expect(parseError('{ $ = 1 }')).toMatchObject({ position: 2, message: expect.stringContaining('selector') });
    expect(parseError('{ }')).toMatchObject({ position: 2 });
  });

  it('keeps non-JSON patterns apart', () => {
    const form = (t: string) => (parseFilterPattern(t) as FilterExpr & { form?: string }).form;
    expect(form('')).toBe('match-all');
    expect(form('   ')).toBe('match-all');
    expect(form('ERROR')).toBe('terms');
    expect(form('?ERROR ?WARN')).toBe('terms');
    expect(form('"ConsoleLogin"')).toBe('terms');
    expect(form('[ip, user, ..., status_code = 4*, bytes]')).toBe('space-delimited');
    expect(form('%AUTHORIZED%')).toBe('regex');
  });
});

describe('covers: every CIS pattern', () => {
  it.each(cisTexts)('$name covers itself', ({ text }) => {
    expect(covers(text, text)).toMatchObject({ covered: true });
  });

  it.each(cisTexts)('$name is equivalent to a reordered, re-spaced, re-quoted, re-parenthesised copy', ({ text }) => {
    const copy = wrap(json(text));
    expect(copy).not.toBe(text);
    expect(covers(copy, text)).toMatchObject({ covered: true });
    expect(covers(text, copy)).toMatchObject({ covered: true });
  });

  it.each(cisTexts.filter(({ text }) => dropOneEventName(json(text))))('$name is not covered when one event name is missing', ({ text }) => {
    const d = dropOneEventName(json(text));
    if (!d) throw new Error('unreachable');
    const r = covers(wrap(d.expr), text);
    expect(r.covered).toBe(false);
    expect(r.reason).toMatch(/^no filter term matches events where /);
    expect(r.reason).toContain(`$.eventName = ${d.dropped}`);
  });

  it.each(cisTexts)('$name is not covered by a copy narrowed to one region', ({ text }) => {
    const r = covers(`{ (${inner(text)}) && $.awsRegion = "us-east-1" }`, text);
    expect(r.covered).toBe(false);
    expect(r.reason).toContain('the closest filter term also requires $.awsRegion = us-east-1');
  });

  it('every item without an event-name list is checked for a missing term instead', () => {
    const withoutList = ids.filter((id) => !dropOneEventName(json(CIS_MONITORING_PATTERNS[id].pattern)));
    expect(withoutList).toEqual(['monitoring-unauthorized-api-calls', 'monitoring-console-signin-without-mfa', 'monitoring-root-usage', 'monitoring-console-auth-failures']);
    expect(covers('{ $.additionalEventData.MFAUsed != "Yes" && $.eventName = "ConsoleLogin" && $.userIdentity.type = "IAMUser" }', CIS_MONITORING_PATTERNS['monitoring-console-signin-without-mfa'].pattern))
      .toEqual({ covered: false, reason: 'no filter term matches events where $.eventName = ConsoleLogin and $.additionalEventData.MFAUsed != Yes; the closest filter term also requires $.userIdentity.type = IAMUser' });
    expect(covers('{ $.errorMessage = "Failed authentication" }', CIS_MONITORING_PATTERNS['monitoring-console-auth-failures'].pattern).covered).toBe(true);
    expect(covers('{ $.eventName = "ConsoleLogin" && $.errorMessage = "Failed*" }', CIS_MONITORING_PATTERNS['monitoring-console-auth-failures'].pattern).covered).toBe(true);
    expect(covers('{ $.eventName = "ConsoleLogin" }', CIS_MONITORING_PATTERNS['monitoring-console-auth-failures'].pattern).covered).toBe(true);
  });
});

describe('covers: broader and narrower filters', () => {
  const trail = CIS_MONITORING_PATTERNS['monitoring-cloudtrail-changes'].pattern;
  it('accepts an eventSource-wide filter for the CloudTrail item only with event-source facts', () => {
    const bySource = '{ $.eventSource = "cloudtrail.amazonaws.com" }';
    expect(covers(bySource, trail)).toEqual({ covered: false, reason: 'no filter term matches events where $.eventName = CreateTrail' });
    expect(covers(bySource, trail, { eventSources: CIS_EVENT_SOURCES }).covered).toBe(true);
    expect(coversCisMonitoring(bySource, 'monitoring-cloudtrail-changes')).toMatchObject({ covered: true, via: trail });
    expect(coversCisMonitoring('{ $.eventSource = "cloudtrail.amazonaws.com" && $.readOnly IS FALSE }', 'monitoring-cloudtrail-changes').covered).toBe(false);
    expect(coversCisMonitoring('{ $.eventSource = "iam.amazonaws.com" }', 'monitoring-cloudtrail-changes').covered).toBe(false);
  });
  it('accepts wildcards that include the required names', () => {
    expect(covers('{ $.eventName = "*Trail" || $.eventName = StartLogging || $.eventName = "StopLogging" }', trail).covered).toBe(true);
    expect(covers('{ $.eventName = "*Trail" || $.eventName = "*Logging" }', trail).covered).toBe(true);
    expect(covers('{ $.eventName = * }', trail).covered).toBe(true);
    expect(covers('{ $.eventName = "Delete*" || $.eventName = "*Logging" }', trail)).toEqual({ covered: false, reason: 'no filter term matches events where $.eventName = CreateTrail' });
    // An inner `*` is literal in AWS's grammar: it matches only an identical value.
    expect(covers('{ $.eventName = "Cr*Trail" || $.eventName = "*Trail" || $.eventName = "*Logging" }', trail).covered).toBe(true);
    expect(covers('{ $.eventName = "Cr*Trail" }', '{ $.eventName = "CreateTrail" }').covered).toBe(false);
    expect(covers('{ $.eventName = "Cr*Trail" }', '{ $.eventName = "Cr*Trail" }').covered).toBe(true);
  });
  it('compares wildcard values by inclusion', () => {
    const unauthorized = CIS_MONITORING_PATTERNS['monitoring-unauthorized-api-calls'].pattern;
    expect(covers('{ $.errorCode = "*Unauthorized*" || $.errorCode = "Access*" }', unauthorized).covered).toBe(true);
    expect(covers('{ $.errorCode = "*Operation" || $.errorCode = "AccessDenied*" }', unauthorized).covered).toBe(true);
    expect(covers('{ $.errorCode = * }', unauthorized).covered).toBe(true);
    expect(covers('{ $.errorCode = "UnauthorizedOperation" || $.errorCode = "AccessDenied" }', unauthorized)).toEqual({
      covered: false,
      reason: 'no filter term matches events where $.errorCode = *UnauthorizedOperation',
    });
    expect(covers('{ $.errorCode = "Access*" }', '{ $.errorCode = "*Denied" }').covered).toBe(false);
  });
  it('derives != from = and from a wider !=', () => {
    expect(covers('{ $.x != "b" }', '{ $.x = "a" }').covered).toBe(true);
    expect(covers('{ $.x != "a*" }', '{ $.x = "abc" }').covered).toBe(false);
    expect(covers('{ $.x != "b" }', '{ $.x = "a*" }').covered).toBe(false);
    expect(covers('{ $.x != "abc" }', '{ $.x != "ab*" }').covered).toBe(true);
    expect(covers('{ $.x != "ab*" }', '{ $.x != "abc" }').covered).toBe(false);
    expect(covers('{ $.x = "a" }', '{ $.x != "b" }').covered).toBe(false);
  });
  it('compares numbers by value and range', () => {
    expect(covers('{ $.latency >= 500 }', '{ $.latency > 1000 }').covered).toBe(true);
    expect(covers('{ $.latency > 1000.5 }', '{ $.latency > 1000 }').covered).toBe(false);
    expect(covers('{ $.latency >= 1000 }', '{ $.latency = 1000 }').covered).toBe(true);
    expect(covers('{ $.latency > 1000 }', '{ $.latency = 1000 }').covered).toBe(false);
    expect(covers('{ $.code != 500 }', '{ $.code = 400 }').covered).toBe(true);
    expect(covers('{ $.code != 500 }', '{ $.code < 600 }').covered).toBe(false);
    expect(covers('{ $.code = 400 }', '{ $.code = 4e2 }').covered).toBe(true);
    expect(covers('{ $.code = "400" }', '{ $.code = 400 }').covered).toBe(false);
  });
  it('treats IS / NOT EXISTS tests as equal only to themselves', () => {
    expect(covers('{ $.flag IS TRUE }', '{ $.flag IS TRUE && $.a = 1 }').covered).toBe(true);
    expect(covers('{ $.flag IS FALSE }', '{ $.flag IS TRUE }').covered).toBe(false);
    expect(covers('{ $.a NOT EXISTS }', '{ $.a IS NULL }').covered).toBe(false);
  });
  it('ignores required alternatives that no event can satisfy', () => {
    expect(covers('{ $.b = "z" }', '{ ($.a = "x" && $.a = "y") || $.b = "z" }').covered).toBe(true);
    expect(covers('{ $.b = "z" }', '{ ($.a = "x" && $.a NOT EXISTS) || $.b = "z" }').covered).toBe(true);
    expect(covers('{ $.b = "z" }', '{ ($.a = "x" && $.a != "x*") || $.b = "z" }').covered).toBe(true);
  });
});

describe('covers: precedence', () => {
  it('distinguishes A || B && C from (A || B) && C', () => {
    const loose = '{ $.a = 1 || $.b = 2 && $.c = 3 }';
    const tight = '{ ($.a = 1 || $.b = 2) && $.c = 3 }';
    expect(covers(loose, tight).covered).toBe(true);
    expect(covers(tight, loose)).toEqual({ covered: false, reason: 'no filter term matches events where $.a = 1; the closest filter term also requires $.c = 3' });
    expect(covers('{ $.a = 1 || ($.b = 2 && $.c = 3) }', loose).covered).toBe(true);
    expect(covers(loose, '{ $.a = 1 || ($.b = 2 && $.c = 3) }').covered).toBe(true);
  });

  it('reads CIS 4.1 as AWS does: *UnauthorizedOperation is counted from every source', () => {
    const cis = CIS_MONITORING_PATTERNS['monitoring-unauthorized-api-calls'].pattern;
    // The parenthesisation most people mean, as found in a public Terraform configuration.
    const intended =
      '{($.errorCode = "*UnauthorizedOperation" || $.errorCode = "AccessDenied*") && ($.sourceIPAddress != "delivery.logs.amazonaws.com") && ($.eventName != "HeadBucket")}';
    expect(covers(intended, cis)).toEqual({
      covered: false,
      reason:
        'no filter term matches events where $.errorCode = *UnauthorizedOperation; the closest filter term also requires $.sourceIPAddress != delivery.logs.amazonaws.com and $.eventName != HeadBucket',
    });
    expect(covers(cis, intended).covered).toBe(true);
  });
});

describe('covers: documented real-world variants', () => {
  const unauthorized = CIS_MONITORING_PATTERNS['monitoring-unauthorized-api-calls'].pattern;
  const root = CIS_MONITORING_PATTERNS['monitoring-root-usage'].pattern;

  it('4.1: the CIS v1.2 / Security Hub / Terraform-module pattern is broader and covers', () => {
    expect(covers('{ ($.errorCode = "*UnauthorizedOperation") || ($.errorCode = "AccessDenied*") }', unauthorized).covered).toBe(true);
    expect(covers('{($.errorCode="*UnauthorizedOperation") || ($.errorCode="AccessDenied*")}', unauthorized).covered).toBe(true);
  });
  it('4.1: the unquoted text of the v5.0 transcription is the same pattern', () => {
    const unquoted = '{ ($.errorCode =*UnauthorizedOperation) || ($.errorCode =AccessDenied*) && ($.sourceIPAddress!=delivery.logs.amazonaws.com) && ($.eventName!=HeadBucket) }';
    expect(covers(unquoted, unauthorized).covered).toBe(true);
    expect(covers(unauthorized, unquoted).covered).toBe(true);
  });
  it('4.1: the all-|| v1.4/v3 transcription is broader, so covers v5 but not the reverse', () => {
    const allOr =
      '{ ($.errorCode = "*UnauthorizedOperation") || ($.errorCode = "AccessDenied*") || ($.sourceIPAddress!="delivery.logs.amazonaws.com") || ($.eventName!="HeadBucket") }';
    expect(covers(allOr, unauthorized).covered).toBe(true);
    expect(covers(unauthorized, allOr).covered).toBe(false);
  });
  it('4.1: variants that drop the wildcards or misname the error code do not cover', () => {
    // Tenable policy AC_AWS_0559 text.
    const noWildcards =
      '{ ($.errorCode = "UnauthorizedOperation") || ($.errorCode = "AccessDenied") || ($.sourceIPAddress!="delivery.logs.amazonaws.com") || ($.eventName!="HeadBucket") }';
    expect(covers(noWildcards, unauthorized)).toMatchObject({ covered: false, reason: expect.stringContaining('$.errorCode = *UnauthorizedOperation') });
    // cloud-audit's remediation text.
    expect(covers('{ ($.errorCode = "*UnauthorizedAccess*") || ($.errorCode = "AccessDenied*") }', unauthorized)).toMatchObject({
      covered: false,
      reason: expect.stringContaining('$.errorCode = *UnauthorizedOperation'),
    });
  });
  it('4.1: a filter a text regex would accept but that matches nothing does not cover', () => {
    // Prowler's check accepts any text matching $.errorCode = *UnauthorizedOperation ... $.errorCode = AccessDenied*.
    expect(covers('{ ($.errorCode = "*UnauthorizedOperation") && ($.errorCode = "AccessDenied*") }', unauthorized).covered).toBe(false);
    // ... and rejects this reordering, which covers.
    expect(covers('{ $.errorCode = "AccessDenied*" || $.errorCode = "*UnauthorizedOperation" }', unauthorized).covered).toBe(true);
  });
  it('4.3: the Landing Zone Accelerator and unquoted v5.0 texts cover', () => {
    expect(covers('{$.userIdentity.type="Root" && $.userIdentity.invokedBy NOT EXISTS && $.eventType !="AwsServiceEvent"}', root).covered).toBe(true);
    expect(covers('{ $.userIdentity.type = Root && $.userIdentity.invokedBy NOT EXISTS && $.eventType != AwsServiceEvent }', root).covered).toBe(true);
    expect(covers('{ $.userIdentity.type = "Root" }', root).covered).toBe(true);
  });
  it('4.3: a text with a missing space does not parse; a narrower one does not cover', () => {
    // As printed in one public copy of the v1.4.0 remediation.
    const typo = '{ $.userIdentity.type = "Root" && $.userIdentity.invokedByNOT EXISTS && $.eventType != "AwsServiceEvent" }';
    expect(covers(typo, root)).toMatchObject({ covered: false, reason: expect.stringMatching(/^the filter pattern does not parse: .*invokedByNOT \(at 62\)$/) });
    expect(covers('{ $.userIdentity.type = "Root" && $.userIdentity.invokedBy NOT EXISTS }', root).covered).toBe(true);
    expect(covers(`{ ${inner(root)} && $.eventName = "ConsoleLogin" }`, root).covered).toBe(false);
    expect(covers('{ $.userIdentity.type = "Root" && $.userIdentity.invokedBy IS NULL && $.eventType != "AwsServiceEvent" }', root).covered).toBe(false);
  });
});

describe('coversCisMonitoring: variants and versions', () => {
  it('4.2: accepts the narrower SSO alternative as a published variant', () => {
    const entry = CIS_MONITORING_PATTERNS['monitoring-console-signin-without-mfa'];
    const sso = entry.acceptedVariants?.[0] ?? '';
    expect(covers(sso, entry.pattern).covered).toBe(false);
    expect(coversCisMonitoring(wrap(json(sso)), 'monitoring-console-signin-without-mfa')).toMatchObject({ covered: true, via: sso });
    // The Additional Information copy of the SSO text lacks a ')'.
    const printed = '{ ($.eventName = "ConsoleLogin") && ($.additionalEventData.MFAUsed != "Yes") && ($.userIdentity.type = "IAMUser") && ($.responseElements.ConsoleLogin = "Success"}';
    expect(coversCisMonitoring(printed, 'monitoring-console-signin-without-mfa')).toMatchObject({ covered: false, via: null, reason: expect.stringContaining('does not parse') });
  });
  it('4.13: accepts the audit-step text, but not a filter scoping every name to ec2', () => {
    const entry = CIS_MONITORING_PATTERNS['monitoring-route-table-changes'];
    const audit = entry.acceptedVariants?.[0] ?? '';
    expect(covers(audit, entry.pattern)).toMatchObject({ covered: false, reason: 'no filter term matches events where $.eventName = CreateRoute; the closest filter term also requires $.eventSource = ec2.amazonaws.com' });
    expect(coversCisMonitoring(audit, 'monitoring-route-table-changes')).toMatchObject({ covered: true, via: audit });
    const scoped = `{ $.eventSource = "ec2.amazonaws.com" && (${inner(entry.pattern)}) }`;
    // DeleteRoute is also an API Gateway v2 and App Mesh action, and both CIS texts count it from any source.
    expect(coversCisMonitoring(scoped, 'monitoring-route-table-changes')).toMatchObject({
      covered: false,
      via: null,
      reason: 'no filter term matches events where $.eventName = CreateRoute; the closest filter term also requires $.eventSource = ec2.amazonaws.com',
    });
    expect(covers(scoped, audit, { eventSources: CIS_EVENT_SOURCES })).toMatchObject({ covered: false, reason: expect.stringContaining('$.eventName = DeleteRoute') });
  });
  it('4.10: the v3.0.0 list lacks ModifySecurityGroupRules, enough for v3.0.0 only', () => {
    const v3 = CIS_MONITORING_PATTERNS['monitoring-security-group-changes'].patternsByVersion?.['cis-aws-v3.0.0'] ?? '';
    expect(coversCisMonitoring(v3, 'monitoring-security-group-changes')).toMatchObject({ covered: false, reason: expect.stringContaining('$.eventName = ModifySecurityGroupRules') });
    expect(coversCisMonitoring(v3, 'monitoring-security-group-changes', 'cis-aws-v3.0.0').covered).toBe(true);
    expect(coversCisMonitoring(CIS_MONITORING_PATTERNS['monitoring-security-group-changes'].pattern, 'monitoring-security-group-changes', 'cis-aws-v1.4.0').covered).toBe(true);
    expect(coversCisMonitoring('{ $.eventSource = "ec2.amazonaws.com" }', 'monitoring-security-group-changes').covered).toBe(true);
  });
  it('4.4: does not assume an event source for names several services use', () => {
    const r = coversCisMonitoring('{ $.eventSource = "iam.amazonaws.com" }', 'monitoring-iam-policy-changes');
    expect(r).toMatchObject({ covered: false, reason: 'no filter term matches events where $.eventName = CreatePolicy' });
  });
});

describe('covers: non-JSON patterns and limits', () => {
  const mfa = CIS_MONITORING_PATTERNS['monitoring-console-signin-without-mfa'].pattern;
  it('the empty pattern matches every event, so it covers', () => {
    expect(covers('', mfa)).toEqual({ covered: true, reason: 'the empty filter pattern matches every log event' });
  });
  it('term, column and regex patterns never cover a JSON pattern', () => {
    for (const filter of ['ConsoleLogin', '"ConsoleLogin" -"Yes"', '?ConsoleLogin ?MFAUsed', '[version, account, eventName = ConsoleLogin, ...]', '%ConsoleLogin%']) {
      expect(covers(filter, mfa)).toMatchObject({ covered: false, reason: expect.stringContaining('not a JSON pattern') });
    }
  });
  it('a non-JSON required pattern is covered only by the same text', () => {
    expect(covers(' ERROR ', 'ERROR').covered).toBe(true);
    expect(covers('{ $.level = "ERROR" }', 'ERROR').covered).toBe(false);
  });
  it('reports a required pattern that does not parse', () => {
    expect(covers(mfa, '{ $.a = }')).toMatchObject({ covered: false, reason: expect.stringContaining('the required pattern does not parse') });
  });
  it(`refuses to expand past ${MAX_CONJUNCTIONS} alternatives`, () => {
    const blowUp = `{ ${Array.from({ length: 13 }, (_, i) => `($.a${i} = 1 || $.b${i} = 2)`).join(' && ')} }`;
    expect(covers(blowUp, '{ $.a0 = 1 }')).toEqual({ covered: false, reason: `the filter pattern expands to more than ${MAX_CONJUNCTIONS} alternatives; not compared` });
    expect(covers('{ $.a0 = 1 }', blowUp).reason).toContain('the required pattern expands');
    const fine = `{ ${Array.from({ length: 8 }, (_, i) => `($.a${i} = 1 || $.b${i} = 2)`).join(' && ')} }`;
    expect(covers(fine, fine).covered).toBe(true);
  });
});
