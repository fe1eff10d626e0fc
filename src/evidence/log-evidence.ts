// scan --verify-logs --evidence: the digest files the verifier read, the public keys it used,
// and an index tying each to its stream, so `trailwarden verify` can check the digest signatures
// and the chain again offline. Objects are stored by their SHA-256, never under their S3 key (a
// key is any text, "../" included), and written as they arrive: nothing is held for the bundle.
import { mkdir, writeFile } from 'node:fs/promises';
import { createWriteStream, mkdirSync, type WriteStream } from 'node:fs';
import { join } from 'node:path';
import { z } from 'zod';
import type { DigestRead, LogEvidenceSink } from '../integrity/judge.js';
import type { PublicKey } from '../integrity/digest.js';
import { sha256Text } from './manifest.js';

export const LOG_EVIDENCE_DIR = 'log-integrity';
export const DIGEST_INDEX_FILE = `${LOG_EVIDENCE_DIR}/digests.jsonl`;
export const PUBLIC_KEYS_FILE = `${LOG_EVIDENCE_DIR}/public-keys.json`;
const OBJECTS_DIR = `${LOG_EVIDENCE_DIR}/digests`;

export const DigestIndexLine = z
  .object({
    streamId: z.string(),
    region: z.string(),
    bucket: z.string(),
    key: z.string(),
    listed: z.boolean(),
    /** Bundle path of the stored object (null: not read). */
    file: z.string().regex(/^log-integrity\/digests\/[0-9a-f]{64}\.json\.gz$/).nullable(),
    metadata: z.record(z.string(), z.string()).nullable(),
    unreadable: z.string().nullable(),
    absent: z.boolean(),
  })
  .strict();
export type DigestIndexLine = z.infer<typeof DigestIndexLine>;

export const PublicKeysFile = z.record(
  z.string(),
  z.array(z.object({ fingerprint: z.string(), der: z.string().describe('base64'), validityStart: z.string().nullable(), validityEnd: z.string().nullable() }).strict()),
);

export class LogEvidenceWriter implements LogEvidenceSink {
  private index: WriteStream | null = null;
  private readonly pending: Promise<unknown>[] = [];
  private readonly stored = new Set<string>();
  private readonly keys: Record<string, z.infer<typeof PublicKeysFile>[string]> = {};
  private failure: Error | null = null;
  count = 0;

  constructor(private readonly dir: string) {}

  digest(read: DigestRead): void {
    const line: DigestIndexLine = { streamId: read.streamId, region: read.region, bucket: read.bucket, key: read.key, listed: read.listed, file: null, metadata: null, unreadable: null, absent: false };
    if ('body' in read.object) {
      const sha = sha256Text(read.object.body);
      line.file = `${OBJECTS_DIR}/${sha}.json.gz`;
      line.metadata = { ...read.object.metadata };
      if (!this.stored.has(sha)) {
        this.stored.add(sha);
        const body = read.object.body;
        this.pending.push(this.ensureDir().then(() => writeFile(join(this.dir, line.file!), body)).catch((err: Error) => (this.failure ??= err)));
      }
    } else if ('unreadable' in read.object) line.unreadable = read.object.unreadable;
    else line.absent = true;
    this.count++;
    this.indexStream().write(`${JSON.stringify(line)}\n`);
  }

  publicKeys(region: string, keys: readonly PublicKey[]): void {
    this.keys[region] = keys.map((k) => ({ fingerprint: k.fingerprint, der: Buffer.from(k.der).toString('base64'), validityStart: k.validityStart, validityEnd: k.validityEnd }));
  }

  /** Waits for every object, closes the index and writes the keys. Nothing written: no files. */
  async close(): Promise<{ digests: number; objects: number } | null> {
    await Promise.all(this.pending);
    if (this.failure) throw this.failure;
    if (!this.index && !Object.keys(this.keys).length) return null;
    await this.ensureDir();
    const index = this.indexStream();
    await new Promise<void>((resolve, reject) => index.end((err?: Error | null) => (err ? reject(err) : resolve())));
    await writeFile(join(this.dir, PUBLIC_KEYS_FILE), `${JSON.stringify(this.keys, null, 2)}\n`);
    return { digests: this.count, objects: this.stored.size };
  }

  private dirReady: Promise<void> | null = null;
  private ensureDir(): Promise<void> {
    this.dirReady ??= mkdir(join(this.dir, OBJECTS_DIR), { recursive: true }).then(() => undefined);
    return this.dirReady;
  }

  private indexStream(): WriteStream {
    if (!this.index) {
      mkdirSync(join(this.dir, OBJECTS_DIR), { recursive: true });
      this.index = createWriteStream(join(this.dir, DIGEST_INDEX_FILE), { flags: 'w' });
      this.index.on('error', (err) => (this.failure ??= err));
    }
    return this.index;
  }
}
