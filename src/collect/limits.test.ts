import { describe, expect, it } from 'vitest';
import { Limits } from './limits.js';

const tick = () => new Promise((r) => setTimeout(r, 2));

describe('Limits', () => {
  it('never exceeds the global or the per-account cap', async () => {
    const limits = new Limits(5, 2);
    let global = 0;
    let maxGlobal = 0;
    const perAccount = new Map<string, number>();
    let maxPerAccount = 0;
    const task = (account: string) =>
      limits.run(account, async () => {
        global++;
        perAccount.set(account, (perAccount.get(account) ?? 0) + 1);
        maxGlobal = Math.max(maxGlobal, global);
        maxPerAccount = Math.max(maxPerAccount, perAccount.get(account)!);
        await tick();
        global--;
        perAccount.set(account, perAccount.get(account)! - 1);
      });
    const accounts = ['a', 'b', 'c', 'd'];
    await Promise.all(Array.from({ length: 80 }, (_, i) => task(accounts[i % accounts.length]!)));
    expect(maxGlobal).toBe(5);
    expect(maxPerAccount).toBe(2);
  });

  it('lets other accounts proceed while one account is saturated', async () => {
    const limits = new Limits(4, 1);
    const order: string[] = [];
    let release!: () => void;
    const blocker = new Promise<void>((r) => (release = r));
    const slow = limits.run('busy', async () => {
      await blocker;
      order.push('busy-1');
    });
    const queued = limits.run('busy', async () => {
      order.push('busy-2');
    });
    await limits.run('other', async () => {
      order.push('other');
    });
    release();
    await Promise.all([slow, queued]);
    expect(order).toEqual(['other', 'busy-1', 'busy-2']);
  });
});
