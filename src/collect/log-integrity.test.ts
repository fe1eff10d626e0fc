// Hashing a log file's uncompressed bytes as they stream: the SHA-256 of exactly what CloudTrail
// wrote, whatever the chunking and size; damaged or cut input is an error, never a hash.
import { createHash, randomBytes } from 'node:crypto';
import { Readable } from 'node:stream';
import { gzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { gunzipSha256 } from './log-integrity.js';

const sha = (b: Buffer) => createHash('sha256').update(b).digest('hex');
const body = (chunks: Buffer[]) => Readable.from(chunks, { objectMode: false });
const log = Buffer.from(JSON.stringify({ Records: Array.from({ length: 20 }, (_, i) => ({ eventName: `Event${i}`, eventTime: '2026-11-20T00:00:00Z' })) }));

describe('gunzipSha256', () => {
  it('hashes small and large files, in any chunking, with or without a Content-Length', async () => {
    const gz = gzipSync(log);
    expect(await gunzipSha256(body([gz.subarray(0, 10), gz.subarray(10)]), gz.length)).toBe(sha(log));
    expect(await gunzipSha256(body([gz]), undefined)).toBe(sha(log));
    const big = randomBytes(1024 * 1024);
    const bigGz = gzipSync(big);
    expect(await gunzipSha256(body([bigGz]), bigGz.length)).toBe(sha(big));
  });

  it('hashes a file that inflates 1000-fold without holding it (40 MiB from ~40 KiB)', async () => {
    const bomb = Buffer.alloc(40 * 1024 * 1024, 0x41);
    const gz = gzipSync(bomb);
    expect(gz.length).toBeLessThan(64 * 1024);
    expect(await gunzipSha256(body([gz]), gz.length)).toBe(sha(bomb));
  });

  it('rejects a damaged gzip with its zlib code', async () => {
    const gz = Buffer.from(gzipSync(log));
    gz[gz.length - 6]! ^= 0xff; // the CRC
    await expect(gunzipSha256(body([gz]), gz.length)).rejects.toMatchObject({ code: expect.stringMatching(/^Z_/) });
    await expect(gunzipSha256(body([Buffer.from('not gzip at all')]), 15)).rejects.toMatchObject({ code: expect.stringMatching(/^Z_/) });
  });

  it('rejects a body that closes before its end', async () => {
    const gz = gzipSync(log);
    const cut = new Readable({ read() {} });
    cut.push(gz.subarray(0, 10));
    setTimeout(() => cut.destroy(), 5);
    await expect(gunzipSha256(cut, gz.length)).rejects.toMatchObject({ code: 'ERR_STREAM_PREMATURE_CLOSE' });
  });
});
