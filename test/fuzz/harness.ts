// Shared by the fuzz suites: valid inputs to start from, the mutations applied to them, and the
// invariants every run must keep (docs: README "Exit codes"; issue 11 item 10).
//   - never exit 70 (a bug), only a documented code;
//   - a failing input leaves the previous report set as it was and no temp file;
//   - every case ends within 10 s.
// Two depths per input: the loader and the pure pipeline in-process (fast: hundreds of cases),
// and the whole CLI (`evaluate ... --out`), which loads the rules pack each time (slower: tens).
import { createHash } from 'node:crypto';
import { mkdtempSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { expect } from 'vitest';
import { stringify } from 'yaml';
import { UsageError } from '../../src/core/errors.js';
import { InputError } from '../../src/util/input-error.js';
import { cli } from '../harness/cli.js';

export const ROOT = new URL('../../', import.meta.url).pathname;
export const BASE_SNAPSHOT = join(ROOT, 'test/rules/base-snapshot.json');
export const NOW = '2026-11-21T12:00:00Z';
export const CASE_LIMIT_MS = 10_000;
export const DOCUMENTED_EXITS = [0, 1, 2, 3];

/** A fixed seed per suite unless FUZZ_SEED is set; fast-check prints the seed and path of a failure. */
export function fuzzParams(numRuns: number): fc.Parameters<unknown> {
  const seed = process.env.FUZZ_SEED ? Number(process.env.FUZZ_SEED) : 20261121;
  return { numRuns, seed, endOnFailure: true };
}

export const read = (path: string) => readFileSync(join(ROOT, path), 'utf8');

/** What runCli turns into exit 2: a typed input or usage error, or a refusal of the file system. */
export function isInputError(err: unknown): boolean {
  if (err instanceof UsageError || err instanceof InputError) return true;
  const e = err as NodeJS.ErrnoException | null;
  return typeof e?.code === 'string' && /^E[A-Z]+$/.test(e.code) && typeof e.syscall === 'string';
}

/** Runs one in-process case: it may succeed or fail as bad input, never otherwise, within the limit. */
export async function expectHandled(run: () => Promise<unknown>): Promise<void> {
  const started = performance.now();
  try {
    await run();
  } catch (err) {
    if (!isInputError(err)) throw err;
  }
  expect(performance.now() - started).toBeLessThan(CASE_LIMIT_MS);
}

// ---------------------------------------------------------------------------------------------
// Mutations.

const CONTROL = fc.constantFrom('\u0000', '\u0007', '\u001b[2J', '\r', '\u009b', '\u202e', '\ufeff', '\ud800', '\t', '\n');
const HUGE = fc.constantFrom(1e308, -1e308, Number.MAX_SAFE_INTEGER + 2, 2 ** 64, -0, 0.1, 1e-320);

/** Deeply nested arrays or objects: a recursive parser or validator must not overflow the stack. */
export const deep = (depth: number, object: boolean): unknown => {
  let v: unknown = 'leaf';
  for (let i = 0; i < depth; i++) v = object ? { a: v } : [v];
  return v;
};

/** Values of every JSON type, odd ones included, kept small except on purpose. */
export const oddValue: fc.Arbitrary<unknown> = fc.oneof(
  fc.constantFrom(null, true, false, '', 0, -1, [], {}, '2026-13-45T99:99:99Z', 'not a date', '*', '**', '../../etc/passwd'),
  HUGE,
  fc.string({ maxLength: 12 }),
  fc.string({ unit: 'grapheme', maxLength: 8 }),
  fc.stringMatching(/^[a-z*?]{1,12}$/),
  CONTROL,
  fc.integer(),
  fc.double(),
  fc.constantFrom(deep(2_000, false), deep(2_000, true), 'x'.repeat(100_000)),
  fc.array(fc.oneof(fc.string({ maxLength: 5 }), fc.integer()), { maxLength: 4 }),
  fc.dictionary(fc.string({ maxLength: 6 }), fc.oneof(fc.string({ maxLength: 5 }), fc.integer(), fc.constant(null)), { maxKeys: 3 }),
);

type Path = (string | number)[];

/** Where an edit can land: the first few thousand places, no deeper than 40 (a planted deep value stays whole). */
function paths(value: unknown, prefix: Path = [], out: Path[] = [], limit = 4_000): Path[] {
  if (out.length >= limit) return out;
  out.push(prefix);
  if (prefix.length >= 40) return out;
  if (Array.isArray(value)) value.forEach((v, i) => paths(v, [...prefix, i], out, limit));
  else if (value && typeof value === 'object') for (const [k, v] of Object.entries(value)) paths(v, [...prefix, k], out, limit);
  return out;
}

type Edit = { at: number; op: 'delete' | 'replace' | 'insert' | 'duplicate'; key: string; value: unknown };

const edit: fc.Arbitrary<Edit> = fc.record({
  at: fc.nat(),
  op: fc.constantFrom('delete', 'replace', 'insert', 'duplicate'),
  key: fc.oneof(fc.constantFrom('id', 'name', 'rule', 'resource', 'expires', '__proto__', 'constructor', 'extra'), fc.string({ maxLength: 8 })),
  value: oddValue,
});

/** The valid document with a few keys dropped, added, duplicated or given values of the wrong type. */
export function applyEdits(valid: unknown, edits: Edit[]): unknown {
  let doc = structuredClone(valid);
  for (const e of edits) {
    const all = paths(doc);
    const path = all[e.at % all.length]!;
    if (path.length === 0) {
      doc = e.op === 'replace' ? e.value : doc;
      continue;
    }
    const parent = path.slice(0, -1).reduce<unknown>((o, k) => (o as Record<string | number, unknown>)[k], doc) as Record<string | number, unknown> | unknown[];
    const last = path[path.length - 1]!;
    if (e.op === 'delete') {
      if (Array.isArray(parent)) parent.splice(last as number, 1);
      else delete parent[last as string];
    } else if (e.op === 'replace') (parent as Record<string | number, unknown>)[last] = e.value;
    else if (e.op === 'insert') {
      if (Array.isArray(parent)) parent.splice(last as number, 0, e.value);
      else Object.defineProperty(parent, e.key, { value: e.value, enumerable: true, writable: true, configurable: true });
    } else if (Array.isArray(parent)) parent.push((parent as unknown[])[last as number]); // shared, not cloned: it may be 2,000 deep
  }
  return doc;
}

/** Texts a YAML (or JSON) parser must refuse or read safely. */
const YAML_HOSTILE = [
  'a: &a ["x","x","x","x","x","x","x","x","x"]\nb: &b [*a,*a,*a,*a,*a,*a,*a,*a,*a]\nc: &c [*b,*b,*b,*b,*b,*b,*b,*b,*b]\nd: &d [*c,*c,*c,*c,*c,*c,*c,*c,*c]\ne: &e [*d,*d,*d,*d,*d,*d,*d,*d,*d]\nf: [*e,*e,*e,*e,*e,*e,*e,*e,*e]\n',
  'x: !!binary aGVsbG8=\n',
  'x: !!js/function "function () {}"\n',
  'x: !custom tag\n',
  '%YAML 1.1\n---\nx: yes\n',
  'x: &a [*a]\n',
  'key: 1\nkey: 2\n',
  '? [a, b]\n: c\n',
  '<<: {a: 1}\n',
  '---\na: 1\n---\nb: 2\n',
  '[' .repeat(5_000) + ']'.repeat(5_000),
  '{"a":'.repeat(5_000) + '1' + '}'.repeat(5_000),
  '- '.repeat(3_000) + 'x\n',
  '\ufeff{}',
  '',
  '\u0000',
  'null',
  '[]',
  '"just a string"',
  '1e99999',
];

/** Mutations of a file's text: truncation, insertions (control characters, hostile YAML), deletions, line copies. */
export function textMutations(valid: string): fc.Arbitrary<string> {
  const at = fc.nat({ max: valid.length });
  return fc.oneof(
    at.map((n) => valid.slice(0, n)),
    fc.tuple(at, fc.oneof(CONTROL, fc.string({ maxLength: 20 }), fc.constantFrom(...YAML_HOSTILE, ': ', '- ', '{', '}', '[', ']', '"', "'", '&a', '*a', '!!str', '#', '\n  ', ' ! '))).map(([n, s]) => valid.slice(0, n) + s + valid.slice(n)),
    fc.tuple(at, at).map(([a, b]) => valid.slice(0, Math.min(a, b)) + valid.slice(Math.max(a, b))),
    fc.tuple(fc.nat(), fc.nat()).map(([a, b]) => {
      const lines = valid.split('\n');
      lines.splice(b % (lines.length + 1), 0, lines[a % lines.length]!);
      return lines.join('\n');
    }),
    fc.constantFrom(...YAML_HOSTILE),
    fc.string({ maxLength: 200 }),
    fc.string({ unit: 'binary', maxLength: 200 }),
  );
}

/** A valid document, structurally mutated, written as JSON or YAML; or its text mutated; or random text. */
export function documents(valid: unknown, validText: string, as: 'json' | 'yaml'): fc.Arbitrary<string> {
  const write = (doc: unknown) => {
    try {
      return as === 'json' ? (JSON.stringify(doc) ?? 'null') : stringify(doc, { aliasDuplicateObjects: false });
    } catch {
      return JSON.stringify(String(doc));
    }
  };
  return fc.oneof(
    { weight: 3, arbitrary: fc.array(edit, { minLength: 1, maxLength: 3 }).map((edits) => write(applyEdits(valid, edits))) },
    { weight: 2, arbitrary: textMutations(validText) },
  );
}

// ---------------------------------------------------------------------------------------------
// The whole CLI, and the report set it leaves behind.

export const FORMATS = ['json', 'html', 'csv'];
export const FORMAT_FILES = ['report.json', 'report.html', 'report.csv'];

export function outDirState(dir: string): string {
  let names: string[];
  try {
    names = readdirSync(dir).sort();
  } catch {
    return 'absent';
  }
  return names.map((n) => `${n}:${statSync(join(dir, n)).isFile() ? createHash('sha256').update(readFileSync(join(dir, n))).digest('hex') : 'dir'}`).join('\n');
}

export const tempDir = (prefix: string) => mkdtempSync(join(tmpdir(), `tw-fuzz-${prefix}-`));

/**
 * Runs `evaluate` into an --out that holds a previous set. Afterwards the code is documented, and
 * --out holds either the whole new set (a run that judged) or exactly what it held (a refused input).
 */
export async function evaluateKeepsInvariants(args: string[], out: string): Promise<number> {
  const before = outDirState(out);
  const started = performance.now();
  const run = await cli(['evaluate', ...args, '--out', out, '--now', NOW, ...FORMATS.flatMap((f) => ['--format', f])]);
  expect(performance.now() - started, 'one case within 10 s').toBeLessThan(CASE_LIMIT_MS);
  expect(run.stderr, 'never an internal error').not.toMatch(/internal error/);
  expect(DOCUMENTED_EXITS, run.stderr).toContain(run.code);
  const names = readdirSync(out).sort();
  if (run.code === 2) expect(outDirState(out), 'a refused input leaves the previous set untouched').toBe(before);
  else {
    expect(names, 'a run that judged leaves the complete new set, no temp file').toEqual([...FORMAT_FILES].sort());
    JSON.parse(readFileSync(join(out, 'report.json'), 'utf8'));
  }
  return run.code;
}

/** An --out holding a complete previous set, from the base snapshot. */
export async function previousSet(): Promise<string> {
  const out = tempDir('out');
  const run = await cli(['evaluate', BASE_SNAPSHOT, '--out', out, '--now', NOW, ...FORMATS.flatMap((f) => ['--format', f])]);
  expect(run.code).toBe(0);
  return out;
}
