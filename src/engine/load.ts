// Loading a rules pack: every `<id>.yaml` in the given directories is parsed, validated against
// the rule schema, its CEL type-checked and its field paths checked against the inventory
// schema, all before any scan starts. The first problem stops the load with file:line: reason.
import { createHash } from 'node:crypto';
import { readdir, readFile } from 'node:fs/promises';
import { basename, join } from 'node:path';
import { z } from 'zod';
import { Parameters } from '../config/config.js';
import { AccountRecord, Bucket, EventDataStore, Key, LogGroup, LogStream, OrganizationRecord, RegionRecord, Topic, Trail } from '../inventory/schema.js';
import { Recorder } from './recorders.js';
import { InputError } from '../util/input-error.js';
import { parseYaml, schemaError, type YamlSource } from '../util/yaml-source.js';
import { compile, ExpressionError, type CompiledExpression } from './cel.js';
import { FACTS, factsReferenced } from './facts.js';
import { RuleFile, type Scope } from './rule-schema.js';
import { placeholders } from './template.js';

export interface Rule extends RuleFile {
  file: string;
  compiled: { when: CompiledExpression | null; assert: CompiledExpression; details: CompiledExpression | null; fixedOn: CompiledExpression | null };
  /** Declared requires plus every fact the expressions read. */
  effectiveRequires: string[];
}

export interface RulesPack {
  rules: Rule[];
  /** SHA-256 over every rule file's bytes, in id order: names the exact pack a report used. */
  sha256: string;
}

const TRAIL_VARS = ['trail', 'bucket', 'key', 'topic', 'logGroup'];
const SCOPE_VARS: Record<Scope, string[]> = {
  organization: ['organization', 'account', 'accounts'],
  account: ['account', 'organization', 'recorders'],
  'account-region': ['account', 'region', 'organization', 'recorders'],
  trail: [...TRAIL_VARS, 'account', 'organization'],
  bucket: ['bucket', 'trails', 'account', 'organization'],
  key: ['key', 'trails', 'account', 'organization'],
  topic: ['topic', 'trails', 'account', 'organization'],
  'log-group': ['logGroup', 'trails', 'account', 'organization'],
  'log-stream': ['stream', 'trail', 'bucket', 'account', 'organization'],
  'event-data-store': ['eventDataStore', 'account', 'organization'],
};
const ITEM_VARS = { trails: TRAIL_VARS, recorders: ['recorder'] } as const;

const VAR_SCHEMAS: Record<string, z.ZodType> = {
  trail: Trail,
  bucket: Bucket,
  key: Key,
  topic: Topic,
  logGroup: LogGroup,
  stream: LogStream,
  eventDataStore: EventDataStore,
  recorder: Recorder,
  account: AccountRecord,
  region: RegionRecord,
  organization: OrganizationRecord,
  params: Parameters,
};

function unwrap(schema: z.ZodType): z.ZodType {
  let s = schema;
  while (s instanceof z.ZodNullable || s instanceof z.ZodOptional || s instanceof z.ZodDefault) {
    s = (s as unknown as { unwrap(): z.ZodType }).unwrap();
  }
  return s;
}

/** Checks `var.a.b` paths against the inventory schema; returns the first unknown one. */
function unknownFieldPath(expression: string, allowed: Set<string>): string | null {
  const code = expression.replace(/"(?:[^"\\]|\\.)*"|'(?:[^'\\]|\\.)*'/g, '""');
  for (const m of code.matchAll(/(?<![\w.])([a-zA-Z_]\w*)((?:\.[a-zA-Z_]\w*)+)(?!\w)(\s*\()?/g)) {
    const [, root = '', rest = '', call] = m;
    if (!allowed.has(root) || !VAR_SCHEMAS[root]) continue;
    const parts = rest.slice(1).split('.');
    if (call) parts.pop(); // a method call such as .size() or .exists(...)
    let schema: z.ZodType = VAR_SCHEMAS[root]!;
    for (const [i, part] of parts.entries()) {
      const s = unwrap(schema);
      if (s instanceof z.ZodObject) {
        const next = (s.shape as Record<string, z.ZodType>)[part];
        if (!next) {
          // The view adds `topics` to alarms; everything else must exist in the inventory.
          if (root === 'logGroup' && part === 'topics') break;
          return `${root}.${parts.slice(0, i + 1).join('.')}`;
        }
        schema = next;
      } else break; // lists, records and unknown JSON: CEL checks those at evaluation
    }
  }
  return null;
}

function usedVariables(expression: string): string[] {
  const code = expression.replace(/"(?:[^"\\]|\\.)*"|'(?:[^'\\]|\\.)*'/g, '""');
  return [...code.matchAll(/(?<![\w.])([a-zA-Z_]\w*)(?=\s*\.)/g)].map((m) => m[1]!);
}

const KNOWN_VARIABLES = new Set([...Object.keys(VAR_SCHEMAS), 'trails', 'accounts', 'recorders']);

function fail(source: YamlSource, path: (string | number)[], reason: string, key?: string): never {
  throw new InputError(source.file, source.lineOf(path, key), reason);
}

export function parseRule(file: string, text: string): Rule {
  const source = parseYaml(file, text);
  const parsed = RuleFile.safeParse(source.data ?? {});
  if (!parsed.success) throw schemaError(source, parsed.error.issues);
  const rule = parsed.data;
  const expected = `${rule.id}.yaml`;
  if (basename(file) !== expected) fail(source, ['id'], `rule id "${rule.id}" must match its file name (${expected})`);

  const allowed = new Set([...SCOPE_VARS[rule.scope], 'params', ...(rule.forAny ? ITEM_VARS[rule.forAny] : [])]);
  if (rule.forAny && !['organization', 'account', 'account-region'].includes(rule.scope)) {
    fail(source, ['forAny'], `forAny is for organization, account and account-region rules, not ${rule.scope}`);
  }
  const compileField = (field: 'when' | 'assert' | 'details' | 'fixedOn'): CompiledExpression | null => {
    const expression = field === 'fixedOn' ? rule.fixedOn?.target : rule[field];
    if (expression === undefined) return null;
    const at = field === 'fixedOn' ? ['fixedOn', 'target'] : [field];
    for (const v of usedVariables(expression)) {
      if (KNOWN_VARIABLES.has(v) && !allowed.has(v)) fail(source, at, `${field}: "${v}" is not available in a ${rule.scope} rule${rule.forAny ? '' : ' (use forAny: trails to judge trails, forAny: recorders to judge trails and event data stores)'}`);
    }
    const unknown = unknownFieldPath(expression, allowed);
    if (unknown) fail(source, at, `${field}: "${unknown}" is not a field of the inventory`);
    try {
      return compile(expression);
    } catch (err) {
      if (err instanceof ExpressionError) fail(source, at, `${field}: invalid CEL: ${err.message}`);
      throw err;
    }
  };
  const when = compileField('when');
  const assert = compileField('assert')!;
  const details = compileField('details');
  const fixedOn = compileField('fixedOn');

  for (const [i, fact] of rule.requires.entries()) {
    if (!FACTS[fact]) fail(source, ['requires', i], `requires: "${fact}" is not a collectable fact (known: ${Object.keys(FACTS).join(', ')})`);
    if (!allowed.has(FACTS[fact]!.variable)) fail(source, ['requires', i], `requires: "${fact}" is not available in a ${rule.scope} rule`);
  }
  const knownParams = Object.keys(Parameters.shape);
  for (const [i, p] of rule.parameters.entries()) {
    if (!knownParams.includes(p)) fail(source, ['parameters', i], `parameters: "${p}" is not a configuration parameter (known: ${knownParams.join(', ')})`);
  }
  for (const [field, expression] of [['when', rule.when], ['assert', rule.assert], ['details', rule.details]] as const) {
    for (const m of (expression ?? '').matchAll(/params\.(\w+)/g)) {
      if (!rule.parameters.includes(m[1]!)) fail(source, [field], `${field}: params.${m[1]} is used but not listed in "parameters"`);
    }
  }
  const templates: [string[], string][] = [
    [['message', 'pass'], rule.message.pass],
    [['message', 'fail'], rule.message.fail],
    [['remediation', 'summary'], rule.remediation.summary],
    [['remediation', 'cli'], rule.remediation.cli],
    [['remediation', 'terraform'], rule.remediation.terraform],
    [['remediation', 'cloudformation'], rule.remediation.cloudformation],
    ...rule.remediation.console.map((c, i): [string[], string] => [['remediation', 'console', String(i)], c]),
  ];
  for (const [path, template] of templates) {
    for (const p of placeholders(template)) {
      const root = p.split('.')[0]!;
      if (p === 'details') {
        if (!rule.details) fail(source, path, `${path.join('.')}: {{details}} needs a "details" expression`);
        if (path.join('.') === 'message.pass') fail(source, path, 'message.pass: {{details}} is only computed for a FAIL');
        continue;
      }
      if (!allowed.has(root) && root !== 'resource') fail(source, path, `${path.join('.')}: {{${p}}} uses "${root}", which a ${rule.scope} rule does not have`);
    }
  }
  if (Object.keys(rule.frameworks).length === 0 && !rule.frameworksNote) {
    fail(source, ['frameworks'], 'a rule maps to at least one framework, or says why not in frameworksNote');
  }
  const effectiveRequires = [...new Set([...rule.requires, ...factsReferenced(`${rule.when ?? ''} ${rule.assert}`)])].filter((f) =>
    allowed.has(FACTS[f]!.variable),
  );
  return { ...rule, file, compiled: { when, assert, details, fixedOn }, effectiveRequires };
}

/** Loads every rule file of the directories; ids must be unique across them. */
export async function loadRules(dirs: string[]): Promise<RulesPack> {
  const rules: Rule[] = [];
  const hash = createHash('sha256');
  const texts: [string, string][] = [];
  for (const dir of dirs) {
    let entries: string[];
    try {
      entries = await readdir(dir);
    } catch (err) {
      throw new InputError(dir, null, `cannot read the rules directory (${(err as NodeJS.ErrnoException).code ?? (err as Error).message})`);
    }
    for (const name of entries.filter((n) => n.endsWith('.yaml') || n.endsWith('.yml')).sort()) {
      const file = join(dir, name);
      texts.push([file, await readFile(file, 'utf8')]);
    }
  }
  const seen = new Map<string, string>();
  for (const [file, text] of texts) {
    const rule = parseRule(file, text);
    const other = seen.get(rule.id);
    if (other) throw new InputError(file, 1, `rule id "${rule.id}" is already defined in ${other}`);
    seen.set(rule.id, file);
    rules.push(rule);
  }
  rules.sort((a, b) => a.id.localeCompare(b.id));
  for (const rule of rules) hash.update(`${rule.id}\n`).update(texts.find(([f]) => f === rule.file)![1]);
  return { rules, sha256: hash.digest('hex') };
}
