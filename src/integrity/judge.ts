// Judging one fetched digest object: format, location, key and signature. Pure, and shared by
// the collector (scan --verify-logs) and by `trailwarden verify`, which judges the digests an
// evidence bundle carries again, offline, with the public keys it carries.
import type { DigestOutcome } from './chain.js';
import { DigestFormatError, gunzipStrict, parseDigest, sha256Hex, verifySignature, type PublicKey } from './digest.js';

/**
 * `body`: the object's bytes as stored (gzip); `metadata`: its S3 user metadata (`signature`,
 * `signature-algorithm`); `publicKeys`: the keys of the digest's region by fingerprint.
 */
export function judgeDigest(bucket: string, key: string, body: Uint8Array, metadata: Record<string, string>, publicKeys: ReadonlyMap<string, PublicKey>, region: string): DigestOutcome {
  let uncompressed: Buffer;
  let digest;
  try {
    uncompressed = gunzipStrict(body);
    digest = parseDigest(uncompressed);
  } catch (err) {
    if (err instanceof DigestFormatError) return { kind: 'invalid', defect: 'digest-invalid-format', reason: `invalid format: ${err.message}`, digest: null };
    throw err;
  }
  const signature = metadata.signature;
  if (!signature || !metadata['signature-algorithm']) return { kind: 'invalid', defect: 'digest-invalid-format', reason: 'the object carries no signature metadata', digest };
  if (digest.digestS3Bucket !== bucket || digest.digestS3Object !== key) {
    return { kind: 'invalid', defect: 'digest-moved', reason: `has been moved from its original location s3://${digest.digestS3Bucket}/${digest.digestS3Object}`, digest };
  }
  const publicKey = publicKeys.get(digest.digestPublicKeyFingerprint);
  if (!publicKey) return { kind: 'invalid', defect: 'digest-unknown-key', reason: `public key not found in region ${region} for fingerprint ${digest.digestPublicKeyFingerprint}`, digest };
  let ok: boolean;
  try {
    ok = metadata['signature-algorithm'] === 'SHA256withRSA' && verifySignature(digest, uncompressed, signature, publicKey);
  } catch (err) {
    if (err instanceof DigestFormatError) return { kind: 'invalid', defect: 'digest-unknown-key', reason: err.message, digest };
    throw err;
  }
  if (!ok) return { kind: 'invalid', defect: 'digest-invalid-signature', reason: 'signature is not valid', digest };
  return { kind: 'valid', digest, signature, sha256: sha256Hex(uncompressed) };
}

/** One digest read for a stream, as an evidence bundle keeps it. */
export interface DigestRead {
  streamId: string;
  region: string;
  bucket: string;
  key: string;
  /** Listed for the window (false: fetched because a listed digest linked to it). */
  listed: boolean;
  /** The object as stored, with its metadata; or why it could not be read. */
  object: { body: Uint8Array; metadata: Record<string, string> } | { unreadable: string } | { absent: true };
}

/** Where scan --verify-logs hands what it read, for scan --evidence (absent: nothing kept). */
export interface LogEvidenceSink {
  digest(read: DigestRead): void;
  publicKeys(region: string, keys: readonly PublicKey[]): void;
}
