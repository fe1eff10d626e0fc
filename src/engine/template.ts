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

/** Each value is capped as it is put in: a 5 MB name must not be copied into every rendering. */
export function render(template: string, vars: Record<string, unknown>): string {
  return template.replace(PLACEHOLDER, (_m, path: string, fallback: string | undefined) => {
    const value = lookup(vars, path);
    if (value === undefined || value === null) return fallback !== undefined ? fallback.trim() : `<${path}>`;
    if (Array.isArray(value)) return capText(value.join(', '));
    if (typeof value === 'object') return capText(JSON.stringify(value));
    return capText(String(value));
  });
}

export function placeholders(template: string): string[] {
  return [...template.matchAll(PLACEHOLDER)].map((m) => m[1]!);
}
