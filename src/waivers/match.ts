// Which findings a waiver names: a rule id or glob, and a resource given by ARN, id, a glob over
// either, or a 12-digit account id (every resource that account owns).
import type { Finding } from '../findings/finding.js';
import type { WaiverEntry } from './schema.js';

export const isGlob = (pattern: string): boolean => /[*?]/.test(pattern);

/** "*" matches any run of characters ("/" and ":" included, as in IAM ARNs), "?" exactly one. */
export function globMatcher(pattern: string): (text: string) => boolean {
  const source = pattern.replace(/[.+^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '.*').replace(/\?/g, '.');
  const re = new RegExp(`^${source}$`, 's');
  return (text) => re.test(text);
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
