// YAML parsing that remembers where things are, so validation errors can name a line.
import { isMap, isPair, isScalar, LineCounter, parseDocument, visit, type Alias, type Document } from 'yaml';
import { InputError } from './input-error.js';

export interface YamlSource {
  file: string;
  data: unknown;
  /** 1-based line of the node at `path` (or of its nearest existing parent). */
  lineOf(path: readonly (string | number)[], key?: string): number | null;
}

/** The yaml parser recurses once per nesting level: some thousands of `- - - …` overflow the stack. */
function tooDeep(file: string, err: unknown): never {
  if (err instanceof RangeError) throw new InputError(file, null, 'invalid YAML: nested too deeply to read');
  throw err;
}

export function parseYaml(file: string, text: string): YamlSource {
  try {
    return parseYamlDocument(file, text);
  } catch (err) {
    return tooDeep(file, err);
  }
}

function parseYamlDocument(file: string, text: string): YamlSource {
  const counter = new LineCounter();
  const doc: Document = parseDocument(text, { lineCounter: counter, prettyErrors: false, uniqueKeys: true });
  const first = doc.errors[0];
  if (first) {
    const line = first.linePos?.[0]?.line ?? counter.linePos(first.pos[0]).line;
    throw new InputError(file, line, `invalid YAML: ${first.message.split('\n')[0]}`);
  }
  // No trailwarden input needs an alias: rules, config and waivers are short hand-written files,
  // and the JSON ones (snapshots, reports) cannot have any. Refusing every alias, rather than
  // bounding how far they expand, leaves no limit to tune and no billion-laughs file that gets
  // under it: a repeated value is written out.
  let alias: Alias | undefined;
  visit(doc, {
    Alias: (_, node) => {
      alias = node;
      return visit.BREAK;
    },
  });
  if (alias) {
    const line = alias.range ? counter.linePos(alias.range[0]).line : null;
    throw new InputError(file, line, `YAML alias "*${alias.source}" is not accepted (trailwarden reads no anchors or aliases: write the value out)`);
  }
  const lineOf = (path: readonly (string | number)[], key?: string): number | null => {
    for (let n = path.length; n >= 0; n--) {
      const node = doc.getIn(path.slice(0, n), true) as { range?: [number, number, number] } | undefined;
      if (node && key !== undefined && n === path.length && isMap(node)) {
        const pair = node.items.find((p) => isPair(p) && isScalar(p.key) && p.key.value === key);
        const range = (pair?.key as { range?: [number, number, number] } | undefined)?.range;
        if (range) return counter.linePos(range[0]).line;
      }
      if (node?.range) return counter.linePos(node.range[0]).line;
    }
    return null;
  };
  return { file, data: doc.toJS(), lineOf };
}

/** The first schema problem of a parsed file, as one file:line: reason error. */
export function schemaError(
  source: YamlSource,
  issues: readonly { path: PropertyKey[]; message: string; code: string; keys?: string[] }[],
  unknownWord: 'key' | 'field' = 'field',
): InputError {
  const issue = issues[0]!;
  const keys = issue.code === 'unrecognized_keys' ? (issue.keys ?? []) : [];
  const path = issue.path.map((p) => (typeof p === 'number' ? p : String(p)));
  const what = keys.length ? `unknown ${unknownWord} "${keys.join('", "')}"` : issue.message;
  return new InputError(source.file, source.lineOf(path, keys[0]), `${path.length ? `${path.join('.')}: ` : ''}${what}`);
}
