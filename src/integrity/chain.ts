// Walking a stream's digest chain: which digests verified, which are invalid or gone, where the
// chain restarts (a gap in logging), and which log files each verified digest vouches for.
// Pure: the collector hands in what it listed and fetched. Follows the AWS CLI's traversal (newest
// digest first, back along previous-digest links, stepping to the next older listed digest when a
// link cannot be followed) so that both count the same.
import { digestKeyTime, type Digest } from './digest.js';

/** What became of one listed (or linked) digest key. */
export type DigestOutcome =
  | { kind: 'valid'; digest: Digest; signature: string; sha256: string }
  /** Read, but not to be trusted: format, signature, location, unknown key. */
  | { kind: 'invalid'; defect: DefectKind; reason: string; digest: Digest | null }
  /** Could not be read (access denied, throttled, KMS): neither valid nor invalid. */
  | { kind: 'unreadable'; code: string; message: string };

export type DefectKind =
  | 'digest-missing'
  | 'digest-invalid-format'
  | 'digest-invalid-signature'
  | 'digest-moved'
  | 'digest-unknown-key'
  | 'digest-link-mismatch'
  | 'log-missing'
  | 'log-hash-mismatch'
  | 'log-invalid-format'
  | 'log-unlisted';

export interface Defect {
  kind: DefectKind;
  key: string;
  reason: string;
  /** The time the object's key names (digest end, log delivery minute), when it names one. */
  time: string | null;
}

export interface Gap {
  /** End of the last digest before the gap and start of the first after it (the AWS CLI's "between A and B"). */
  start: string;
  end: string;
}

export interface ChainWalk {
  valid: { key: string; digest: Digest }[];
  invalid: number;
  missing: number;
  unreadable: { key: string; code: string; message: string }[];
  gaps: Gap[];
  defects: Defect[];
  /** Spans the walk could not vouch for: an invalid, missing or unreadable digest's hour. */
  unverifiedSpans: { start: string; end: string; state: 'tampered' | 'unread' }[];
}

export interface ListedDigest {
  key: string;
  time: Date;
}

const HOUR = 3_600_000;

/**
 * `listed`: the stream's digest keys with their key times, oldest first, as listed for the window.
 * `outcomeOf(key)`: the fetched result of a listed key, or of a linked key that was not listed
 * (null: that key does not exist).
 * `linkedOutsideWindow(key)`: the linked key lies before the window, where the walk stops.
 */
export function walkChain(
  bucket: string,
  listed: readonly ListedDigest[],
  outcomeOf: (bucket: string, key: string) => DigestOutcome | null,
  windowStart: Date,
): ChainWalk {
  const result: ChainWalk = { valid: [], invalid: 0, missing: 0, unreadable: [], gaps: [], defects: [], unverifiedSpans: [] };
  const order = [...listed];
  const seen = new Set<string>();
  // The next older listed digest than `time`, as the CLI pops its list.
  const olderThan = (time: Date): ListedDigest | null => {
    while (order.length) {
      const next = order.pop()!;
      if (next.time.getTime() < time.getTime()) return next;
    }
    return null;
  };
  let current: { bucket: string; key: string; time: Date } | null = order.length ? { bucket, ...order.pop()! } : null;
  let lastStart: Date | null = current ? current.time : null;
  while (current && lastStart && lastStart.getTime() >= windowStart.getTime()) {
    if (seen.has(`${current.bucket}/${current.key}`)) break; // a link loop: never walk forever
    seen.add(`${current.bucket}/${current.key}`);
    const outcome = outcomeOf(current.bucket, current.key);
    if (outcome === null) {
      result.missing++;
      result.defects.push({ kind: 'digest-missing', key: current.key, reason: 'named as the previous digest by its successor, but not found: deleted or never delivered', time: current.time.toISOString() });
      result.unverifiedSpans.push({ start: new Date(current.time.getTime() - HOUR).toISOString(), end: current.time.toISOString(), state: 'tampered' });
      const next = olderThan(current.time);
      current = next ? { bucket, ...next } : null;
      continue;
    }
    if (outcome.kind !== 'valid') {
      const span = outcome.kind === 'invalid' && outcome.digest ? { start: outcome.digest.digestStartTime, end: outcome.digest.digestEndTime } : { start: new Date(current.time.getTime() - HOUR).toISOString(), end: current.time.toISOString() };
      if (outcome.kind === 'invalid') {
        result.invalid++;
        result.defects.push({ kind: outcome.defect, key: current.key, reason: outcome.reason, time: current.time.toISOString() });
        result.unverifiedSpans.push({ ...span, state: 'tampered' });
      } else {
        result.unreadable.push({ key: current.key, code: outcome.code, message: outcome.message });
        result.unverifiedSpans.push({ ...span, state: 'unread' });
      }
      const next = olderThan(current.time);
      current = next ? { bucket, ...next } : null;
      continue;
    }
    const d = outcome.digest;
    result.valid.push({ key: current.key, digest: d });
    lastStart = new Date(d.digestStartTime);
    if (d.previousDigestS3Bucket === null || d.previousDigestS3Object === null) {
      // The chain starts here: logging was stopped, validation off, or the trail is new.
      const next = olderThan(current.time);
      if (next) result.gaps.push({ start: next.time.toISOString(), end: lastStart.toISOString() });
      current = next ? { bucket, ...next } : null;
      continue;
    }
    const prevKey = d.previousDigestS3Object;
    const prevTime = digestKeyTime(prevKey);
    if (lastStart.getTime() < windowStart.getTime()) break;
    current = { bucket: d.previousDigestS3Bucket, key: prevKey, time: prevTime ?? lastStart };
    // The link must name the digest as it was signed: its hash and signature are in this one.
    const linked = outcomeOf(current.bucket, current.key);
    if (linked?.kind === 'valid' && ((d.previousDigestHashValue && linked.sha256 !== d.previousDigestHashValue) || (d.previousDigestSignature && linked.signature.toLowerCase() !== d.previousDigestSignature.toLowerCase()))) {
      result.invalid++;
      result.defects.push({ kind: 'digest-link-mismatch', key: current.key, reason: `its hash or signature is not the one ${lastKeyName(result)} names as its predecessor's: replaced`, time: current.time.toISOString() });
      result.unverifiedSpans.push({ start: linked.digest.digestStartTime, end: linked.digest.digestEndTime, state: 'tampered' });
      seen.add(`${current.bucket}/${current.key}`);
      const next = olderThan(current.time);
      current = next ? { bucket, ...next } : null;
    }
  }
  return result;
}

function lastKeyName(r: ChainWalk): string {
  const last = r.valid[r.valid.length - 1];
  return last ? last.key.slice(last.key.lastIndexOf('/') + 1) : 'its successor';
}
