// Hashing a log file's uncompressed bytes as they stream: the SHA-256 of exactly what CloudTrail
// wrote, whatever the chunking and size; damaged or cut input is an error, never a hash.
import { createHash, randomBytes } from 'node:crypto';
import { Readable } from 'node:stream';
import { gzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { gunzipSha256, SMALL_LOG_BYTES, SMALL_LOG_INFLATED_BYTES } from './log-integrity.js';

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

  it('hashes a small file that inflates past the one-call cap by streaming it (4 MiB from ~4 KiB)', async () => {
    const bomb = Buffer.alloc(8 * SMALL_LOG_INFLATED_BYTES, 0x41);
    const gz = gzipSync(bomb);
    expect(gz.length).toBeLessThanOrEqual(SMALL_LOG_BYTES);
    expect(await gunzipSha256(body([gz.subarray(0, 100), gz.subarray(100)]), gz.length)).toBe(sha(bomb));
  });

  it('gives the same hash or the same zlib code whether a file is read whole or streamed', async () => {
    const gz = gzipSync(log);
    const crc = Buffer.from(gz);
    crc[crc.length - 6]! ^= 0xff;
    const size = Buffer.from(gz);
    size[size.length - 2]! ^= 0xff;
    const cases = {
      valid: gz,
      'two gzip members': Buffer.concat([gz, gzipSync(Buffer.from('{"Records":[]}'))]),
      'bytes after the member': Buffer.concat([gz, Buffer.from('trailing')]),
      'damaged CRC': crc,
      'damaged length': size,
      truncated: gz.subarray(0, gz.length - 4),
      'not gzip': Buffer.from('not gzip at all'),
    };
    const outcome = (p: Promise<string>) => p.then((h) => `hash ${h}`, (e: NodeJS.ErrnoException) => `code ${e.code}`);
    for (const [name, bytes] of Object.entries(cases)) {
      expect(bytes.length, name).toBeLessThanOrEqual(SMALL_LOG_BYTES);
      const whole = await outcome(gunzipSha256(body([bytes]), bytes.length));
      const streamed = await outcome(gunzipSha256(body([bytes]), undefined));
      expect(whole, name).toBe(streamed);
    }
    expect(await outcome(gunzipSha256(body([gz]), gz.length))).toBe(`hash ${sha(log)}`);
    expect(await outcome(gunzipSha256(body([crc]), crc.length))).toMatch(/^code Z_/);
  });

  it('rejects a damaged gzip with its zlib code', async () => {
    const gz = Buffer.from(gzipSync(log));
    gz[gz.length - 6]! ^= 0xff; // the CRC
    await expect(gunzipSha256(body([gz]), gz.length)).rejects.toMatchObject({ code: expect.stringMatching(/^Z_/) });
    await expect(gunzipSha256(body([Buffer.from('not gzip at all')]), 15)).rejects.toMatchObject({ code: expect.stringMatching(/^Z_/) });
    await expect(gunzipSha256(body([gz]), undefined)).rejects.toMatchObject({ code: expect.stringMatching(/^Z_/) });
  });

  it('rejects a body that closes before its end, read whole or streamed', async () => {
    const gz = gzipSync(log);
    for (const length of [gz.length, undefined]) {
      const cut = new Readable({ read() {} });
      cut.push(gz.subarray(0, 10));
      setTimeout(() => cut.destroy(), 5);
      await expect(gunzipSha256(cut, length)).rejects.toMatchObject({ code: 'ERR_STREAM_PREMATURE_CLOSE' });
    }
  });
});
