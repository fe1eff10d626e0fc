// verify, for a bundle written with scan --verify-logs: every digest the verifier read is judged
// again from the bundled bytes and S3 metadata with the bundled public keys, each stream's chain
// is walked again, and the result must be what the snapshot records (digests valid, invalid and
// missing, and the gaps). Log files are not in the bundle: their hashes are the digests' own,
// which this re-checks; their presence and content were checked at scan time.
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Snapshot } from '../inventory/schema.js';
import { walkChain, type DigestOutcome, type ListedDigest } from '../integrity/chain.js';
import { digestKeyTime, type PublicKey } from '../integrity/digest.js';
import { judgeDigest } from '../integrity/judge.js';
import { DigestIndexLine, PublicKeysFile } from './log-evidence.js';
import type { EvidenceMetadata } from './metadata.js';

type AddProblem = (kind: 'mismatch' | 'unreadable', path: string | null, message: string) => void;

export async function checkLogEvidence(dir: string, m: EvidenceMetadata, snapshot: Snapshot, checks: string[], problem: AddProblem): Promise<void> {
  const li = snapshot.logIntegrity;
  if (!m.logIntegrity) {
    if (li?.streams.some((s) => s.verified)) problem('mismatch', null, 'the snapshot holds verified log streams but the bundle carries none of their digests, so they cannot be checked again');
    return;
  }
  if (!li) {
    problem('mismatch', m.logIntegrity.index, 'the bundle carries digests but its snapshot has no logIntegrity to check them against');
    return;
  }
  const keys = new Map<string, Map<string, PublicKey>>();
  try {
    const parsed = PublicKeysFile.parse(JSON.parse(await readFile(join(dir, m.logIntegrity.publicKeys), 'utf8')));
    for (const [region, list] of Object.entries(parsed)) {
      keys.set(region, new Map(list.map((k) => [k.fingerprint, { fingerprint: k.fingerprint, der: Buffer.from(k.der, 'base64'), validityStart: k.validityStart, validityEnd: k.validityEnd }])));
    }
  } catch (err) {
    problem('unreadable', m.logIntegrity.publicKeys, `cannot read the bundled public keys: ${(err as Error).message}`);
    return;
  }
  const byStream = new Map<string, DigestIndexLine[]>();
  let lineNo = 0;
  try {
    for (const text of (await readFile(join(dir, m.logIntegrity.index), 'utf8')).split('\n')) {
      lineNo++;
      if (!text) continue;
      const line = DigestIndexLine.parse(JSON.parse(text));
      const list = byStream.get(line.streamId) ?? [];
      list.push(line);
      byStream.set(line.streamId, list);
    }
  } catch (err) {
    problem('unreadable', m.logIntegrity.index, `${m.logIntegrity.index}:${lineNo}: not a digest index line (${(err as Error).message.split('\n')[0]})`);
    return;
  }
  let digests = 0;
  let streams = 0;
  let bad = 0;
  for (const s of li.streams) {
    if (!s.validationEnabled || !s.verified || !s.bucket) continue;
    streams++;
    const outcomes = new Map<string, DigestOutcome | null>();
    const listed = new Map<string, ListedDigest>();
    for (const line of byStream.get(s.id) ?? []) {
      const id = `${line.bucket}/${line.key}`;
      if (line.listed && line.bucket === s.bucket) listed.set(line.key, { key: line.key, time: digestKeyTime(line.key) ?? new Date(0) });
      if (line.absent) outcomes.set(id, null);
      else if (line.unreadable !== null) outcomes.set(id, { kind: 'unreadable', code: line.unreadable, message: `${id}: not read at scan time (${line.unreadable})` });
      else if (line.file) {
        let body: Buffer;
        try {
          body = await readFile(join(dir, line.file));
        } catch (err) {
          problem('unreadable', line.file, `cannot read ${line.file} (${(err as Error).message})`);
          bad++;
          continue;
        }
        outcomes.set(id, judgeDigest(line.bucket, line.key, body, line.metadata ?? {}, keys.get(line.region) ?? new Map(), line.region));
        digests++;
      }
    }
    const order = [...listed.values()].sort((a, b) => a.key.localeCompare(b.key));
    const walk = walkChain(s.bucket, order, (b, k) => outcomes.get(`${b}/${k}`) ?? null, new Date(li.since));
    const offline = { valid: walk.valid.length, invalid: walk.invalid, missing: walk.missing };
    const gaps = (g: { start: string; end: string }[]) => g.map((x) => `${Date.parse(x.start)}/${Date.parse(x.end)}`).sort().join(',');
    if (offline.valid !== s.digests.valid || offline.invalid !== s.digests.invalid || offline.missing !== s.digests.missing || gaps(walk.gaps) !== gaps(s.gaps)) {
      bad++;
      problem(
        'mismatch',
        m.logIntegrity.index,
        `stream ${s.id}: the bundled digests verify as ${offline.valid} valid, ${offline.invalid} invalid, ${offline.missing} missing with ${walk.gaps.length} gap(s); ` +
          `the snapshot records ${s.digests.valid} valid, ${s.digests.invalid} invalid, ${s.digests.missing} missing with ${s.gaps.length} gap(s)`,
      );
    }
  }
  if (!bad) checks.push(`re-verified ${digests} digest file(s) of ${streams} log stream(s) offline with the bundled public keys: signatures, locations and chains are what the snapshot records`);
}
