// CloudWatch Logs metric filter patterns, compared by meaning rather than by text.
//
// `covers(filter, required)` answers: does every log event matched by `required` also match
// `filter`? Order of terms, spacing, quoting and redundant parentheses do not matter.
//
// Grammar (JSON patterns), from the CloudWatch Logs User Guide, "Filter and Pattern Syntax":
//   { SELECTOR =|!= STRING } with `*` wildcards at the start and/or end of the string, quoted or
//   not ("Ev*ent will only match the actual string Ev*ent"); { SELECTOR <|>|<=|>=|=|!= NUMBER };
//   { SELECTOR IS NULL }, { SELECTOR NOT EXISTS }, { SELECTOR IS TRUE|FALSE }; `%regex%` values;
//   selectors `$.a.b`, `$.a[0]`, `$.a[0][1]` (names are alphanumerics, '-' and '_').
// Precedence, same source, section "JSON Compound Conditions": "Parenthesis are allowed and the
// syntax follows standard order of operations () > && > ||"; its example
//   { $.user.email = "John.Stiles@example.com" || $.coordinates[0][1] = nonmatch && $.actions[2] = nomatch }
// matches an event where only the first comparison holds. So `A || B && C` is `A || (B && C)`.
// (awsdocs/amazon-cloudwatch-logs-user-guide, doc_source/FilterAndPatternSyntax.md)

export type ComparisonOp = '=' | '!=' | '<' | '>' | '<=' | '>=';
export type PostfixTest = 'IS NULL' | 'NOT EXISTS' | 'IS TRUE' | 'IS FALSE';
export type FilterValue =
  | { kind: 'string'; text: string; quoted: boolean }
  | { kind: 'number'; value: number; text: string }
  | { kind: 'regex'; text: string };
export type Atom =
  | { type: 'compare'; selector: string; op: ComparisonOp; value: FilterValue }
  | { type: 'postfix'; selector: string; test: PostfixTest };
export type JsonExpr = Atom | { type: 'and' | 'or'; operands: JsonExpr[] };
/** Anything not wrapped in `{ }`: the empty pattern (matches every event), terms, `[...]` columns, `%regex%`. */
export interface NonJsonPattern { type: 'non-json'; form: 'match-all' | 'terms' | 'space-delimited' | 'regex'; text: string }
export type FilterExpr = JsonExpr | NonJsonPattern;
/** `position` is a 0-based offset into the text given to `parseFilterPattern`. */
export interface ParseError { type: 'parse-error'; message: string; position: number }
export interface Coverage { covered: boolean; reason: string }
export interface CoverOptions {
  /**
   * Facts about CloudTrail records: event name -> the one eventSource that emits it. With them,
   * `$.eventName = X` in the required pattern also implies `$.eventSource = <source of X>`, so a
   * filter scoped by eventSource can cover an eventName-only pattern. Without them, pure logic.
   */
  eventSources?: Readonly<Record<string, string>>;
}

/** Patterns are small; beyond this many alternatives in disjunctive normal form we refuse to compare. */
export const MAX_CONJUNCTIONS = 4096;

export function isParseError(x: FilterExpr | ParseError): x is ParseError {
  return x.type === 'parse-error';
}

// ---------------------------------------------------------------- tokenizer

type TokKind = '{' | '}' | '(' | ')' | '&&' | '||' | 'op' | 'selector' | 'string' | 'regex' | 'word' | 'eof';
interface Token { kind: TokKind; text: string; pos: number }

class Fail {
  constructor(readonly error: ParseError) {}
}
const fail = (message: string, position: number): never => {
  throw new Fail({ type: 'parse-error', message, position });
};

const SELECTOR = /\$(?:\.[A-Za-z0-9_-]+|\[\d+\])+/y;
const WORD = /[^\s(){}"&|=!<>]+/y;
const NUMBER = /^[+-]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?$/;

function tokenize(src: string): Token[] {
  const out: Token[] = [];
  let i = 0;
  const sticky = (re: RegExp): string | undefined => {
    re.lastIndex = i;
    return re.exec(src)?.[0];
  };
  while (i < src.length) {
    const c = src.charAt(i);
    const two = src.slice(i, i + 2);
    if (/\s/.test(c)) {
      i++;
    } else if (['&&', '||', '!=', '<=', '>='].includes(two)) {
      out.push({ kind: two === '&&' || two === '||' ? two : 'op', text: two, pos: i });
      i += 2;
    } else if (c === '=' || c === '<' || c === '>') {
      out.push({ kind: 'op', text: c, pos: i++ });
    } else if (c === '{' || c === '}' || c === '(' || c === ')') {
      out.push({ kind: c, text: c, pos: i++ });
    } else if (c === '"') {
      let j = i + 1;
      let text = '';
      while (j < src.length && src.charAt(j) !== '"') {
        if (src.charAt(j) === '\\' && j + 1 < src.length) j++;
        text += src.charAt(j++);
      }
      if (j >= src.length) fail('unterminated string', i);
      out.push({ kind: 'string', text, pos: i });
      i = j + 1;
    } else if (c === '%') {
      const end = src.indexOf('%', i + 1);
      if (end < 0) fail('unterminated regular expression', i);
      out.push({ kind: 'regex', text: src.slice(i + 1, end), pos: i });
      i = end + 1;
    } else if (c === '$') {
      const sel = sticky(SELECTOR) ?? fail('malformed selector; expected e.g. $.eventName or $.items[0]', i);
      out.push({ kind: 'selector', text: sel, pos: i });
      i += sel.length;
    } else {
      const word = sticky(WORD) ?? fail(`unexpected character '${c}'`, i);
      out.push({ kind: 'word', text: word, pos: i });
      i += word.length;
    }
  }
  out.push({ kind: 'eof', text: '', pos: src.length });
  return out;
}

// ---------------------------------------------------------------- parser (recursive descent)

function parseJson(src: string): JsonExpr {
  const toks = tokenize(src);
  let k = 0;
  const peek = (): Token => toks[Math.min(k, toks.length - 1)] as Token;
  const next = (): Token => {
    const t = peek();
    k++;
    return t;
  };
  const describe = (t: Token) => (t.kind === 'eof' ? 'end of pattern' : `'${t.text}'`);
  const expect = (kind: TokKind, what: string): Token => {
    const t = next();
    return t.kind === kind ? t : fail(`expected ${what}, found ${describe(t)}`, t.pos);
  };
  const nary = (type: 'and' | 'or', sep: '&&' | '||', operand: () => JsonExpr): JsonExpr => {
    const operands = [operand()];
    while (peek().kind === sep) {
      next();
      operands.push(operand());
    }
    return operands.length === 1 ? (operands[0] as JsonExpr) : { type, operands };
  };
  const orExpr = (): JsonExpr => nary('or', '||', andExpr);
  const andExpr = (): JsonExpr => nary('and', '&&', primary);
  function primary(): JsonExpr {
    const t = next();
    if (t.kind === '(') {
      const e = orExpr();
      expect(')', "')'");
      return e;
    }
    if (t.kind !== 'selector') return fail(`expected a selector such as $.eventName or '(', found ${describe(t)}`, t.pos);
    const selector = t.text;
    const u = next();
    if (u.kind === 'op') {
      const op = u.text as ComparisonOp;
      const v = next();
      let value: FilterValue;
      if (v.kind === 'string') value = { kind: 'string', text: v.text, quoted: true };
      else if (v.kind === 'regex') value = { kind: 'regex', text: v.text };
      else if (v.kind === 'word' && NUMBER.test(v.text)) value = { kind: 'number', value: Number(v.text), text: v.text };
      else if (v.kind === 'word') value = { kind: 'string', text: v.text, quoted: false };
      else return fail(`expected a value after '${op}', found ${describe(v)}`, v.pos);
      if (op !== '=' && op !== '!=' && value.kind !== 'number') return fail(`'${op}' compares numbers only`, v.pos);
      return { type: 'compare', selector, op, value };
    }
    const w = u.kind === 'word' ? next() : u;
    const test = `${u.text} ${w.text}`;
    if (test === 'IS NULL' || test === 'IS TRUE' || test === 'IS FALSE' || test === 'NOT EXISTS') return { type: 'postfix', selector, test };
    return fail(`expected a comparison operator, IS NULL, IS TRUE, IS FALSE or NOT EXISTS after ${selector}`, u.pos);
  }
  expect('{', "'{'");
  const e = orExpr();
  expect('}', "'&&', '||' or '}'");
  expect('eof', 'end of pattern after }');
  return e;
}

export function parseFilterPattern(text: string): FilterExpr | ParseError {
  const t = text.trim();
  if (t === '') return { type: 'non-json', form: 'match-all', text };
  if (t.startsWith('[')) return { type: 'non-json', form: 'space-delimited', text };
  if (t.length > 1 && t.startsWith('%') && t.endsWith('%')) return { type: 'non-json', form: 'regex', text };
  if (!t.startsWith('{')) return { type: 'non-json', form: 'terms', text };
  try {
    return parseJson(text);
  } catch (e) {
    if (e instanceof Fail) return e.error;
    throw e;
  }
}

// ---------------------------------------------------------------- disjunctive normal form

type Conj = Atom[];

function atomKey(a: Atom): string {
  if (a.type === 'postfix') return `${a.selector} ${a.test}`;
  const v = a.value;
  return `${a.selector} ${a.op} ${v.kind === 'number' ? `n:${v.value}` : `${v.kind.charAt(0)}:${v.text}`}`;
}

/** null when the expansion exceeds MAX_CONJUNCTIONS. Atoms within a conjunction are deduplicated. */
function dnf(e: JsonExpr): Conj[] | null {
  if (e.type === 'compare' || e.type === 'postfix') return [[e]];
  let acc: Conj[] = e.type === 'or' ? [] : [[]];
  for (const operand of e.operands) {
    const d = dnf(operand);
    if (!d) return null;
    const size = e.type === 'or' ? acc.length + d.length : acc.length * d.length;
    if (size > MAX_CONJUNCTIONS) return null;
    acc = e.type === 'or' ? [...acc, ...d] : acc.flatMap((a) => d.map((b) => [...a, ...b]));
  }
  return acc.map((c) => [...new Map(c.map((a) => [atomKey(a), a])).values()]);
}

// ---------------------------------------------------------------- string wildcards

interface Wild { kind: 'exact' | 'prefix' | 'suffix' | 'contains' | 'any' | 'opaque'; lit: string }

// `*` is a wildcard only at the ends; a value with an inner `*` is "opaque": AWS documents it as
// literal, so we only ever equate it with an identical value.
function wild(text: string): Wild {
  if (/^\*+$/.test(text)) return { kind: 'any', lit: '' };
  const s = text.startsWith('*');
  const e = text.endsWith('*');
  const lit = text.slice(s ? 1 : 0, e ? -1 : undefined);
  if (lit.includes('*')) return { kind: 'opaque', lit: text };
  return { kind: s && e ? 'contains' : s ? 'suffix' : e ? 'prefix' : 'exact', lit };
}

function wildMatches(q: Wild, s: string): boolean {
  if (q.kind === 'any') return true;
  if (q.kind === 'prefix') return s.startsWith(q.lit);
  if (q.kind === 'suffix') return s.endsWith(q.lit);
  return q.kind === 'contains' ? s.includes(q.lit) : s === q.lit;
}

/** Every string matched by p is matched by q. */
function wildSubset(p: Wild, q: Wild): boolean {
  if (q.kind === 'any') return true;
  if (p.kind === 'opaque' || q.kind === 'opaque') return p.kind === q.kind && p.lit === q.lit;
  if (p.kind === 'exact') return wildMatches(q, p.lit);
  if (q.kind === 'contains') return p.kind !== 'any' && p.lit.includes(q.lit);
  if (p.kind === 'prefix' && q.kind === 'prefix') return p.lit.startsWith(q.lit);
  if (p.kind === 'suffix' && q.kind === 'suffix') return p.lit.endsWith(q.lit);
  return false;
}

// ---------------------------------------------------------------- numbers

interface Interval { lo: number; loIn: boolean; hi: number; hiIn: boolean }

function interval(op: ComparisonOp, n: number): Interval | null {
  const inf = Number.POSITIVE_INFINITY;
  if (op === '!=') return null;
  if (op === '=') return { lo: n, loIn: true, hi: n, hiIn: true };
  return op.startsWith('<') ? { lo: -inf, loIn: false, hi: n, hiIn: op === '<=' } : { lo: n, loIn: op === '>=', hi: inf, hiIn: false };
}
const within = (a: Interval, b: Interval): boolean =>
  (a.lo > b.lo || (a.lo === b.lo && (b.loIn || !a.loIn))) && (a.hi < b.hi || (a.hi === b.hi && (b.hiIn || !a.hiIn)));
const holds = (i: Interval, n: number): boolean => (n > i.lo || (n === i.lo && i.loIn)) && (n < i.hi || (n === i.hi && i.hiIn));

// ---------------------------------------------------------------- implication between atoms

/** Does every event satisfying r satisfy f? Conservative: false whenever unsure. */
function implies(r: Atom, f: Atom): boolean {
  if (r.selector !== f.selector) return false;
  if (atomKey(r) === atomKey(f)) return true;
  if (r.type !== 'compare' || f.type !== 'compare') return false;
  const rv = r.value;
  const fv = f.value;
  // `$.x = *` is AWS's documented "field exists" (CDK FilterPattern.exists): any positive test on x implies it.
  if (f.op === '=' && fv.kind === 'string' && wild(fv.text).kind === 'any') return r.op !== '!=';
  if (rv.kind === 'string' && fv.kind === 'string') {
    const p = wild(rv.text);
    const q = wild(fv.text);
    if (r.op === '=' && f.op === '=') return wildSubset(p, q);
    if (r.op === '=' && f.op === '!=') return p.kind === 'exact' && q.kind !== 'opaque' && !wildMatches(q, p.lit);
    if (r.op === '!=' && f.op === '!=') return wildSubset(q, p);
    return false;
  }
  if (rv.kind === 'number' && fv.kind === 'number') {
    const ri = interval(r.op, rv.value);
    if (!ri) return false;
    const fi = interval(f.op, fv.value);
    return fi ? within(ri, fi) : !holds(ri, fv.value);
  }
  return false;
}

/** A conjunction no event can satisfy (it imposes nothing on coverage). Only obvious cases. */
function unsatisfiable(c: Conj): boolean {
  return c.some((a) =>
    c.some((b) => {
      if (a.selector !== b.selector || a.type !== 'compare') return false;
      if (b.type === 'postfix') return b.test === 'NOT EXISTS' && a.op !== '!=';
      if (a.op !== '=' || a.value.kind !== 'string' || b.value.kind !== 'string') return false;
      const p = wild(a.value.text);
      const q = wild(b.value.text);
      if (p.kind !== 'exact' || q.kind === 'opaque') return false;
      return b.op === '=' ? q.kind === 'exact' && q.lit !== p.lit : b.op === '!=' && wildMatches(q, p.lit);
    }),
  );
}

function withFacts(c: Conj, sources: Readonly<Record<string, string>> | undefined): Conj {
  const extra = c.flatMap((a): Atom[] => {
    if (!sources || a.type !== 'compare' || a.selector !== '$.eventName' || a.op !== '=' || a.value.kind !== 'string') return [];
    const src = Object.hasOwn(sources, a.value.text) ? sources[a.value.text] : undefined;
    return src ? [{ type: 'compare', selector: '$.eventSource', op: '=', value: { kind: 'string', text: src, quoted: true } }] : [];
  });
  return extra.length === 0 ? c : [...new Map([...c, ...extra].map((a) => [atomKey(a), a])).values()];
}

function render(a: Atom): string {
  if (a.type === 'postfix') return `${a.selector} ${a.test}`;
  const v = a.value;
  const text = v.kind === 'regex' ? `%${v.text}%` : v.kind === 'string' && !/^[\w.*:/@+-]+$/.test(v.text) ? JSON.stringify(v.text) : v.text;
  return `${a.selector} ${a.op} ${text}`;
}

// ---------------------------------------------------------------- coverage

const FORM_NAMES: Record<NonJsonPattern['form'], string> = {
  'match-all': 'empty',
  terms: 'term-matching (unstructured text)',
  'space-delimited': 'space-delimited',
  regex: 'regular-expression',
};

/**
 * Whether every log event matched by `required` is also matched by `filter` (the filter may be
 * broader, never narrower). Both are filter pattern texts. A JSON `required` is covered when
 * every alternative (conjunction of its DNF) is implied by some alternative of the filter.
 */
export function covers(filter: string, required: string, options: CoverOptions = {}): Coverage {
  const req = parseFilterPattern(required);
  if (isParseError(req)) return { covered: false, reason: `the required pattern does not parse: ${req.message} (at ${req.position})` };
  const fil = parseFilterPattern(filter);
  if (isParseError(fil)) return { covered: false, reason: `the filter pattern does not parse: ${fil.message} (at ${fil.position})` };
  if (fil.type === 'non-json') {
    if (fil.form === 'match-all') return { covered: true, reason: 'the empty filter pattern matches every log event' };
    if (req.type === 'non-json' && req.text.trim() === fil.text.trim()) return { covered: true, reason: 'the patterns are identical' };
    // Term and column patterns match on the raw text of the event; whether a term occurs in a
    // CloudTrail record is not something the JSON pattern determines, so nothing is claimed.
    return { covered: false, reason: `the filter is a ${FORM_NAMES[fil.form]} pattern, not a JSON pattern; it cannot be shown to match the events the required pattern selects` };
  }
  if (req.type === 'non-json') return { covered: false, reason: `the required pattern is a ${FORM_NAMES[req.form]} pattern; only an identical filter is accepted` };
  const rd = dnf(req);
  if (!rd) return { covered: false, reason: `the required pattern expands to more than ${MAX_CONJUNCTIONS} alternatives; not compared` };
  const fd = dnf(fil);
  if (!fd) return { covered: false, reason: `the filter pattern expands to more than ${MAX_CONJUNCTIONS} alternatives; not compared` };
  for (const r of rd) {
    const known = withFacts(r, options.eventSources);
    if (unsatisfiable(known)) continue;
    if (fd.some((f) => f.every((fa) => known.some((ra) => implies(ra, fa))))) continue;
    const gaps = fd.map((f) => f.filter((fa) => !known.some((ra) => implies(ra, fa))));
    let reason = `no filter term matches events where ${r.map(render).join(' and ')}`;
    const closest = gaps.reduce((best, g, i) => (g.length < (gaps[best] as Atom[]).length ? i : best), 0);
    const gap = gaps[closest] as Atom[];
    if (gap.length < (fd[closest] as Conj).length) reason += `; the closest filter term also requires ${gap.map(render).join(' and ')}`;
    return { covered: false, reason };
  }
  return { covered: true, reason: `each of the ${rd.length} alternative(s) of the required pattern is matched by the filter` };
}
