// Applying waivers to findings: a pure step after evaluate(), with the clock passed in, so the
// same snapshot, waivers file and --now always give the same report.
import type { Finding } from '../findings/finding.js';
import type { Waiver, WaiverSet } from './load.js';
import { waiverMatcher } from './match.js';
import type { WaiverRef, WaiversOutcome } from './schema.js';

const DAY_MS = 24 * 60 * 60 * 1000;

/** A waiver applies through the whole of its expiry day (UTC) and is expired from the next midnight. */
export function isExpired(waiver: Pick<Waiver, 'expires'>, now: Date): boolean {
  return now.getTime() >= Date.parse(`${waiver.expires}T00:00:00Z`) + DAY_MS;
}

/**
 * Marks each FAIL finding with the first unexpired waiver (in file order) that matches it.
 * ERROR findings are never waived: a waiver accepts a known risk, and an ERROR is a fact the
 * scanner could not see, so hiding it could hide anything. PASS and NOT_APPLICABLE need none.
 */
export function applyWaivers(findings: readonly Finding[], set: WaiverSet, now: Date): { findings: Finding[]; outcome: WaiversOutcome } {
  const applier = waiverApplier(set, now);
  const out = findings.map((f) => applier.apply(f));
  return { findings: out, outcome: applier.outcome() };
}

/** applyWaivers a finding at a time (as evaluation streams them); outcome() once all are applied. */
export function waiverApplier(set: WaiverSet, now: Date): { apply(finding: Finding): Finding; outcome(): WaiversOutcome } {
  const entries = set.waivers.map((waiver) => ({ waiver, matches: waiverMatcher(waiver), expired: isExpired(waiver, now), fail: 0, error: 0 }));
  let applied = 0;
  const apply = (finding: Finding): Finding => {
    let chosen: Waiver | null = null;
    for (const e of entries) {
      if (!e.matches(finding)) continue;
      if (finding.status === 'FAIL') e.fail++;
      if (finding.status === 'ERROR') e.error++;
      if (finding.status === 'FAIL' && !e.expired && !chosen) chosen = e.waiver;
    }
    if (!chosen) return finding;
    applied++;
    return { ...finding, waiver: { reason: chosen.reason, owner: chosen.owner, expires: chosen.expires } };
  };
  const ref = (e: (typeof entries)[number]): WaiverRef => ({
    line: e.waiver.line,
    rule: e.waiver.rule,
    resource: e.waiver.resource,
    reason: e.waiver.reason,
    owner: e.waiver.owner,
    expires: e.waiver.expires,
    fail: e.fail,
    error: e.error,
  });
  const outcome = (): WaiversOutcome => ({
    file: set.file,
    total: set.waivers.length,
    applied,
    expired: entries.filter((e) => e.expired).map(ref),
    unmatched: entries.filter((e) => !e.expired && e.fail === 0).map(ref),
    matchedErrors: entries.filter((e) => !e.expired && e.error > 0).map(ref),
  });
  return { apply, outcome };
}
