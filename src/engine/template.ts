// Message and remediation templates: `{{path.to.value}}` replaced by the subject's real names.
// Deliberately tiny: no logic in templates, so a rule's text can be read as written.
import { capText } from '../util/cap-text.js';

// `{{path}}`, or `{{path|fallback}}` to say what to fill in when the value is not there.
const PLACEHOLDER = /\{\{\s*([a-zA-Z_][\w]*(?:\.[\w-]+)*)\s*(?:\|([^}]*))?\}\}/g;

export function lookup(vars: Record<string, unknown>, path: string): unknown {
  let value: unknown = vars;
  for (const part of path.split('.')) {
    if (value === null || typeof value !== 'object') return undefined;
    value = (value as Record<string, unknown>)[part];
  }
  return value;
}

/** A template cut at its placeholders: texts[0], slot 0, texts[1], ..., texts[slots.length]. */
interface Compiled {
  texts: string[];
  slots: { path: string; parts: string[]; fallback: string | undefined }[];
}

/** Templates are a rule pack's few hundred texts, each rendered for every finding of its rule. */
const compiled = new Map<string, Compiled>();

function compile(template: string): Compiled {
  let c = compiled.get(template);
  if (!c) {
    c = { texts: [], slots: [] };
    let pos = 0;
    for (const m of template.matchAll(PLACEHOLDER)) {
      c.texts.push(template.slice(pos, m.index));
      c.slots.push({ path: m[1]!, parts: m[1]!.split('.'), fallback: m[2] });
      pos = m.index + m[0].length;
    }
    c.texts.push(template.slice(pos));
    compiled.set(template, c);
  }
  return c;
}

/** Each value is capped as it is put in: a 5 MB name must not be copied into every rendering. */
export function render(template: string, vars: Record<string, unknown>): string {
  const { texts, slots } = compile(template);
  let out = texts[0]!;
  for (let i = 0; i < slots.length; i++) {
    const { path, parts, fallback } = slots[i]!;
    let value: unknown = vars;
    for (const part of parts) value = value === null || typeof value !== 'object' ? undefined : (value as Record<string, unknown>)[part];
    out += value === undefined || value === null ? (fallback !== undefined ? fallback.trim() : `<${path}>`) : Array.isArray(value) ? capText(value.join(', ')) : typeof value === 'object' ? capText(JSON.stringify(value)) : capText(String(value));
    out += texts[i + 1]!;
  }
  return out;
}

export function placeholders(template: string): string[] {
  return [...template.matchAll(PLACEHOLDER)].map((m) => m[1]!);
}
