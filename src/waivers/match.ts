// Which findings a waiver names: a rule id or glob, and a resource given by ARN, id, a glob over
// either, or a 12-digit account id (every resource that account owns).
import type { Finding } from '../findings/finding.js';
import type { WaiverEntry } from './schema.js';

export const isGlob = (pattern: string): boolean => /[*?]/.test(pattern);

/**
 * "*" matches any run of characters ("/" and ":" included, as in IAM ARNs), "?" exactly one.
 * Not a regular expression: a backtracking engine takes exponential time on a glob like "*?*?*?…"
 * (a waivers file is input). This scan keeps only the last "*" to fall back to, so it takes at most
 * pattern length × text length steps.
 */
export function globMatcher(pattern: string): (text: string) => boolean {
  const glob = Array.from(pattern);
  return (input) => {
    const text = Array.from(input);
    let p = 0;
    let t = 0;
    let star = -1; // the pattern position after the last "*" seen
    let resume = 0; // where in the text that "*" would start swallowing next
    while (t < text.length) {
      if (p < glob.length && (glob[p] === '?' || (glob[p] !== '*' && glob[p] === text[t]))) {
        p++;
        t++;
      } else if (p < glob.length && glob[p] === '*') {
        star = ++p;
        resume = t;
      } else if (star >= 0) {
        p = star;
        t = ++resume;
      } else {
        return false;
      }
    }
    while (p < glob.length && glob[p] === '*') p++;
    return p === glob.length;
  };
}

const ACCOUNT_ID = /^\d{12}$/;

export function waiverMatcher(waiver: Pick<WaiverEntry, 'rule' | 'resource'>): (finding: Finding) => boolean {
  const rule = globMatcher(waiver.rule);
  if (ACCOUNT_ID.test(waiver.resource)) {
    const account = waiver.resource;
    return (f) => rule(f.ruleId) && f.accountId === account;
  }
  const resource = globMatcher(waiver.resource);
  return (f) => rule(f.ruleId) && (resource(f.resource.id) || (f.resource.arn !== null && resource(f.resource.arn)));
}
