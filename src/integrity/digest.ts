// CloudTrail digest files: where they lie, what they hold, and how their signature is checked.
// Pure (no I/O): the collector lists and fetches, this module judges. Its behaviour follows the
// AWS CLI's `cloudtrail validate-logs`, which the tests use as the oracle.
import { createHash, createPublicKey, createVerify, type KeyObject } from 'node:crypto';
import { crc32, inflateRawSync } from 'node:zlib';

/** One stream: the digests and logs one trail writes for one account and region. */
export interface StreamLocation {
  bucket: string;
  /** The trail's S3 key prefix, or null. */
  keyPrefix: string | null;
  /** Set for an organization trail: its keys carry the organization id. */
  organizationId: string | null;
  accountId: string;
  region: string;
  trailName: string;
  trailHomeRegion: string;
}

function accountRoot(s: StreamLocation): string {
  const root = `AWSLogs/${s.organizationId ? `${s.organizationId}/` : ''}${s.accountId}/`;
  return s.keyPrefix ? `${s.keyPrefix}/${root}` : root;
}

/** The listing prefix of a stream's digests: `[prefix/]AWSLogs/[org/]account/CloudTrail-Digest/region/`. */
export function digestPrefix(s: StreamLocation): string {
  return `${accountRoot(s)}CloudTrail-Digest/${s.region}/`;
}

/** The listing prefix of a stream's log files. */
export function logPrefix(s: StreamLocation): string {
  return `${accountRoot(s)}CloudTrail/${s.region}/`;
}

/** `YYYYMMDDTHHMMSSZ`, as digest key names carry their end time. */
export function compactTime(d: Date): string {
  return d.toISOString().replace(/\.\d{3}Z$/, 'Z').replace(/[-:]/g, '');
}

function ymd(d: Date): string {
  return d.toISOString().slice(0, 10).replace(/-/g, '/');
}

/** The key a digest ending at `end` would have. Used as a listing start key; it need not exist. */
export function digestKeyAt(s: StreamLocation, end: Date): string {
  return `${digestPrefix(s)}${ymd(end)}/${s.accountId}_CloudTrail-Digest_${s.region}_${s.trailName}_${s.trailHomeRegion}_${compactTime(end)}.json.gz`;
}

/** Where to start listing a window's digests: a minute before it opens, so its first digest is included. */
export function digestListStartKey(s: StreamLocation, since: Date): string {
  return digestKeyAt(s, new Date(since.getTime() - 60_000));
}

/** Whether a key under the digest prefix is one of this trail's regular (not backfill) digests. */
export function isTrailDigestKey(s: StreamLocation, key: string): boolean {
  const p = digestPrefix(s);
  if (!key.startsWith(p) || !key.endsWith('.json.gz') || key.endsWith('_backfill.json.gz')) return false;
  const file = key.slice(key.lastIndexOf('/') + 1);
  const head = `${s.accountId}_CloudTrail-Digest_${s.region}_${s.trailName}_${s.trailHomeRegion}_`;
  return file.startsWith(head) && /^\d{8}T\d{6}Z\.json\.gz$/.test(file.slice(head.length)) && /^\d{4}\/\d{2}\/\d{2}\/$/.test(key.slice(p.length, key.length - file.length));
}

/** The end time a digest key names (`...YYYYMMDDTHHMMSSZ.json.gz`), or null. */
export function digestKeyTime(key: string): Date | null {
  const m = /(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})Z\.json\.gz$/.exec(key);
  if (!m) return null;
  const d = new Date(`${m[1]}-${m[2]}-${m[3]}T${m[4]}:${m[5]}:${m[6]}Z`);
  return Number.isNaN(d.getTime()) ? null : d;
}

/** The delivery minute a log file key names (`..._YYYYMMDDTHHmmZ_xxxx.json.gz`), or null. */
export function logKeyTime(key: string): Date | null {
  const m = /_(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})Z_[^/]*\.json\.gz$/.exec(key);
  if (!m) return null;
  const d = new Date(`${m[1]}-${m[2]}-${m[3]}T${m[4]}:${m[5]}:00Z`);
  return Number.isNaN(d.getTime()) ? null : d;
}

/** Where to start listing log files delivered from `since` on (the minute before, inclusive). */
export function logListStartKey(s: StreamLocation, since: Date): string {
  const before = new Date(since.getTime() - 60_000);
  return `${logPrefix(s)}${ymd(before)}/${s.accountId}_CloudTrail_${s.region}_${compactTime(before).slice(0, 13)}Z`;
}

export interface DigestLogFile {
  s3Bucket: string;
  s3Object: string;
  hashValue: string;
  hashAlgorithm: string;
}

export interface Digest {
  awsAccountId: string | null;
  digestStartTime: string;
  digestEndTime: string;
  digestS3Bucket: string;
  digestS3Object: string;
  digestPublicKeyFingerprint: string;
  digestSignatureAlgorithm: string | null;
  previousDigestS3Bucket: string | null;
  previousDigestS3Object: string | null;
  previousDigestHashValue: string | null;
  previousDigestSignature: string | null;
  logFiles: DigestLogFile[];
}

export class DigestFormatError extends Error {}

/**
 * Gunzips a whole object as the AWS CLI does: one gzip member, its CRC and length checked, and
 * nothing after it (CloudTrail never appends; bytes after the stream are an altered file).
 */
export function gunzipStrict(data: Uint8Array): Buffer {
  const buf = Buffer.from(data.buffer, data.byteOffset, data.byteLength);
  if (buf.length < 18 || buf[0] !== 0x1f || buf[1] !== 0x8b || buf[2] !== 8) throw new DigestFormatError('not a gzip file');
  const flags = buf[3]!;
  let pos = 10;
  if (flags & 4) pos += 2 + buf.readUInt16LE(pos);
  if (flags & 8) pos = buf.indexOf(0, pos) + 1;
  if (flags & 16) pos = buf.indexOf(0, pos) + 1;
  if (flags & 2) pos += 2;
  if (pos <= 0 || pos > buf.length - 8) throw new DigestFormatError('truncated gzip header');
  let out: { buffer: Buffer; engine: { bytesWritten: number } };
  try {
    out = inflateRawSync(buf.subarray(pos), { info: true }) as unknown as typeof out;
  } catch (err) {
    throw new DigestFormatError(`gzip data is corrupt (${(err as Error).message})`);
  }
  const trailerAt = pos + out.engine.bytesWritten;
  if (buf.length - trailerAt < 8) throw new DigestFormatError('truncated gzip trailer');
  if (buf.length - trailerAt > 8) throw new DigestFormatError('unexpected data after end of compressed stream');
  if (buf.readUInt32LE(trailerAt) !== crc32(out.buffer) || buf.readUInt32LE(trailerAt + 4) !== out.buffer.length % 2 ** 32) {
    throw new DigestFormatError('gzip checksum does not match');
  }
  return out.buffer;
}

const REQUIRED = ['digestPublicKeyFingerprint', 'digestS3Bucket', 'digestS3Object', 'previousDigestSignature', 'digestEndTime', 'digestStartTime'] as const;

const str = (v: unknown): string | null => (typeof v === 'string' ? v : null);

/** Parses an uncompressed digest; a field missing or of the wrong type is a format error. */
export function parseDigest(json: Buffer): Digest {
  let data: unknown;
  try {
    data = JSON.parse(json.toString('utf8'));
  } catch {
    throw new DigestFormatError('not valid JSON');
  }
  if (!data || typeof data !== 'object' || Array.isArray(data)) throw new DigestFormatError('not a JSON object');
  const d = data as Record<string, unknown>;
  for (const k of REQUIRED) if (!(k in d)) throw new DigestFormatError(`field ${k} is missing`);
  for (const k of ['digestPublicKeyFingerprint', 'digestS3Bucket', 'digestS3Object', 'digestEndTime', 'digestStartTime'] as const) {
    if (typeof d[k] !== 'string') throw new DigestFormatError(`field ${k} is not a string`);
  }
  if (d.previousDigestSignature !== null && typeof d.previousDigestSignature !== 'string') throw new DigestFormatError('field previousDigestSignature is not a string or null');
  for (const k of ['digestStartTime', 'digestEndTime'] as const) if (Number.isNaN(Date.parse(d[k] as string))) throw new DigestFormatError(`field ${k} is not a time`);
  const logs = d.logFiles ?? [];
  if (!Array.isArray(logs)) throw new DigestFormatError('field logFiles is not a list');
  const logFiles = logs.map((l, i) => {
    const o = (l ?? {}) as Record<string, unknown>;
    if (typeof o.s3Bucket !== 'string' || typeof o.s3Object !== 'string' || typeof o.hashValue !== 'string') throw new DigestFormatError(`logFiles[${i}] lacks s3Bucket, s3Object or hashValue`);
    return { s3Bucket: o.s3Bucket, s3Object: o.s3Object, hashValue: o.hashValue.toLowerCase(), hashAlgorithm: str(o.hashAlgorithm) ?? 'SHA-256' };
  });
  return {
    awsAccountId: str(d.awsAccountId),
    digestStartTime: d.digestStartTime as string,
    digestEndTime: d.digestEndTime as string,
    digestS3Bucket: d.digestS3Bucket as string,
    digestS3Object: d.digestS3Object as string,
    digestPublicKeyFingerprint: d.digestPublicKeyFingerprint as string,
    digestSignatureAlgorithm: str(d.digestSignatureAlgorithm),
    previousDigestS3Bucket: str(d.previousDigestS3Bucket),
    previousDigestS3Object: str(d.previousDigestS3Object),
    previousDigestHashValue: str(d.previousDigestHashValue)?.toLowerCase() ?? null,
    previousDigestSignature: str(d.previousDigestSignature),
    logFiles,
  };
}

/** The string CloudTrail signs: end time, bucket/key, SHA-256 of the uncompressed digest, previous signature or "null". */
export function stringToSign(digest: Pick<Digest, 'digestEndTime' | 'digestS3Bucket' | 'digestS3Object' | 'previousDigestSignature'>, uncompressed: Uint8Array): string {
  const hash = createHash('sha256').update(uncompressed).digest('hex');
  return `${digest.digestEndTime}\n${digest.digestS3Bucket}/${digest.digestS3Object}\n${hash}\n${digest.previousDigestSignature ?? 'null'}`;
}

export interface PublicKey {
  fingerprint: string;
  /** DER PKCS#1 RSA public key (the SDK already decoded the wire's base64). */
  der: Uint8Array;
  validityStart: string | null;
  validityEnd: string | null;
}

const keyCache = new WeakMap<Uint8Array, KeyObject | Error>();

function keyObject(key: PublicKey): KeyObject {
  let k = keyCache.get(key.der);
  if (!k) {
    try {
      k = createPublicKey({ key: Buffer.from(key.der), format: 'der', type: 'pkcs1' });
    } catch (err) {
      k = err as Error;
    }
    keyCache.set(key.der, k);
  }
  if (k instanceof Error) throw new DigestFormatError(`Unable to load PKCS #1 key with fingerprint ${key.fingerprint}`);
  return k;
}

/** Whether `signatureHex` is a valid SHA256withRSA signature of the digest by `key`. */
export function verifySignature(digest: Digest, uncompressed: Uint8Array, signatureHex: string, key: PublicKey): boolean {
  if (!/^([0-9a-fA-F]{2})+$/.test(signatureHex)) return false;
  const verifier = createVerify('RSA-SHA256');
  verifier.update(stringToSign(digest, uncompressed));
  return verifier.verify(keyObject(key), Buffer.from(signatureHex, 'hex'));
}

export function sha256Hex(data: Uint8Array): string {
  return createHash('sha256').update(data).digest('hex');
}
