/**
 * Fingerprints, one per item, in order: 16 bytes each when it is 32 lowercase hex digits, as
 * finding.ts makes them (any other kept as it is). Unique to each finding, hundreds of thousands
 * of them as strings are tens of megabytes (~50 MB at 10,000 accounts); packed, 7.5 MB.
 */
export class Fingerprints {
  private static readonly BYTES = 16;
  private data = Buffer.alloc(Fingerprints.BYTES * 1024);
  private count = 0;
  private readonly other = new Map<number, string>();

  get length(): number {
    return this.count;
  }

  /** Its index. */
  add(fingerprint: string): number {
    const i = this.count++;
    const at = i * Fingerprints.BYTES;
    if (at + Fingerprints.BYTES > this.data.length) {
      const next = Buffer.alloc(this.data.length * 2);
      this.data.copy(next);
      this.data = next;
    }
    if (/^[0-9a-f]{32}$/.test(fingerprint)) this.data.write(fingerprint, at, Fingerprints.BYTES, 'hex');
    else this.other.set(i, fingerprint);
    return i;
  }

  at(i: number): string {
    if (i < 0 || i >= this.count) throw new RangeError(`Fingerprints: no item ${i}`);
    return this.other.get(i) ?? this.data.toString('hex', i * Fingerprints.BYTES, (i + 1) * Fingerprints.BYTES);
  }

  *items(): Generator<string> {
    for (let i = 0; i < this.count; i++) yield this.at(i);
  }
}
