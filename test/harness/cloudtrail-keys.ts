// Test RSA key sets standing in for CloudTrail's regional digest-signing keys.
//
// CloudTrail signs each region's digest files with that region's own key pairs, which rotate;
// cloudtrail:ListPublicKeys (asked in that region) returns the public halves as DER PKCS#1
// RSAPublicKey bytes (base64 on the JSON wire), each with a validity interval and a fingerprint
// that digests name in `digestPublicKeyFingerprint`. The AWS CLI only looks a key up by that
// fingerprint string (it never recomputes it); real fingerprints are 32 hex chars, and we use the
// hex MD5 of the DER public key to produce the same shape.
//
// RSA-2048 generation costs ~0.1-0.5 s per key, so key material is generated once per process and
// reused (by region and slot); only the validity intervals depend on the window passed in.
import { createHash, generateKeyPairSync, type KeyObject } from 'node:crypto';

export interface TestSigningKey {
  region: string;
  /** 32 hex chars: MD5 of the DER PKCS#1 public key. */
  fingerprint: string;
  /** DER PKCS#1 RSAPublicKey bytes (what ListPublicKeys' `Value` decodes to). */
  der: Buffer;
  privateKey: KeyObject;
  publicKey: KeyObject;
  validityStart: Date;
  validityEnd: Date;
}

export interface RegionKeys {
  /** The keys CloudTrail would publish per region (what ListPublicKeys returns there), oldest first. */
  byRegion: Record<string, TestSigningKey[]>;
  /**
   * A key pair that no region publishes: digests signed with it carry a fingerprint that
   * ListPublicKeys never returns (the CLI reports "public key not found in region ...").
   */
  rogue: TestSigningKey;
  /** The published key of `region` valid at `at` (validityStart <= at < validityEnd). */
  keyAt(region: string, at: Date): TestSigningKey;
  /** ListPublicKeys semantics: the region's keys whose validity overlaps [start, end]. */
  publicKeys(region: string, start?: Date, end?: Date): TestSigningKey[];
}

export interface CreateRegionKeysOptions {
  /** Keys per region, 1 or 2 (default 2: rotation in the middle of the window). */
  keysPerRegion?: 1 | 2;
  /** Rotation instant when keysPerRegion is 2 (default: the middle of the window, hour aligned). */
  rotateAt?: Date;
  /** How far the first key's validity starts before the window and the last ends after it (default 30 days). */
  marginMs?: number;
}

interface Material {
  privateKey: KeyObject;
  publicKey: KeyObject;
  der: Buffer;
  fingerprint: string;
}

const materialCache = new Map<string, Material>();

function material(slot: string): Material {
  let m = materialCache.get(slot);
  if (!m) {
    const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048, publicExponent: 0x10001 });
    const der = publicKey.export({ type: 'pkcs1', format: 'der' });
    m = { privateKey, publicKey, der, fingerprint: createHash('md5').update(der).digest('hex') };
    materialCache.set(slot, m);
  }
  return m;
}

const HOUR = 3_600_000;
const DAY = 24 * HOUR;

export function createRegionKeys(regions: string[], windowStart: Date, windowEnd: Date, opts: CreateRegionKeysOptions = {}): RegionKeys {
  if (windowEnd.getTime() <= windowStart.getTime()) throw new Error('createRegionKeys: windowEnd must be after windowStart');
  const count = opts.keysPerRegion ?? 2;
  const margin = opts.marginMs ?? 30 * DAY;
  const first = new Date(windowStart.getTime() - margin);
  const last = new Date(windowEnd.getTime() + margin);
  const mid = Math.floor((windowStart.getTime() + windowEnd.getTime()) / 2 / HOUR) * HOUR;
  const rotateAt = opts.rotateAt ?? new Date(Math.max(mid, windowStart.getTime() + HOUR));

  const byRegion: Record<string, TestSigningKey[]> = {};
  for (const region of regions) {
    const bounds: [Date, Date][] = count === 1 ? [[first, last]] : [[first, rotateAt], [rotateAt, last]];
    byRegion[region] = bounds.map(([validityStart, validityEnd], i) => ({
      region, ...material(`${region}#${i}`), validityStart, validityEnd,
    }));
  }
  const rogue: TestSigningKey = { region: 'rogue', ...material('rogue'), validityStart: first, validityEnd: last };

  const keysOf = (region: string): TestSigningKey[] => {
    const ks = byRegion[region];
    if (!ks) throw new Error(`no test signing keys for region ${region} (have ${Object.keys(byRegion).join(', ')})`);
    return ks;
  };
  return {
    byRegion,
    rogue,
    keyAt(region, at) {
      const t = at.getTime();
      const k = keysOf(region).find((x) => x.validityStart.getTime() <= t && t < x.validityEnd.getTime());
      if (!k) throw new Error(`no test signing key of ${region} is valid at ${at.toISOString()}`);
      return k;
    },
    publicKeys(region, start, end) {
      const ks = byRegion[region] ?? [];
      const s = start?.getTime() ?? -Infinity;
      const e = end?.getTime() ?? Infinity;
      return ks.filter((k) => k.validityStart.getTime() <= e && k.validityEnd.getTime() >= s);
    },
  };
}
