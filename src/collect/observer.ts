// Counts API calls per account and region (the scan summary and the call-budget test read it)
// and remembers every operation sent (the read-only test reads that).
import type { ApiCallStats } from '../inventory/schema.js';
import type { CallObserver } from './aws.js';

export class CallCounter implements CallObserver {
  private readonly counts = new Map<string, Map<string, number>>();
  total = 0;
  retries = 0;
  inFlight = 0;
  readonly operations = new Set<string>();

  onCall(accountId: string, region: string, operation: string): void {
    const key = `${accountId}|${region}`;
    let ops = this.counts.get(key);
    if (!ops) {
      ops = new Map();
      this.counts.set(key, ops);
    }
    ops.set(operation, (ops.get(operation) ?? 0) + 1);
    this.operations.add(operation);
    this.total++;
    this.inFlight++;
  }

  onCompleted(_accountId: string, _region: string, _operation: string, attempts: number): void {
    this.inFlight--;
    this.retries += Math.max(0, attempts - 1);
  }

  stats(): ApiCallStats[] {
    const rows: ApiCallStats[] = [];
    for (const [key, ops] of this.counts) {
      const [accountId = '', region = ''] = key.split('|');
      const byOperation = Object.fromEntries([...ops.entries()].sort(([a], [b]) => a.localeCompare(b)));
      const calls = [...ops.values()].reduce((a, b) => a + b, 0);
      rows.push({ accountId, region, calls, byOperation });
    }
    return rows.sort((a, b) => a.accountId.localeCompare(b.accountId) || a.region.localeCompare(b.region));
  }
}
