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

describe('Limits.run with a rate wait', () => {
  it('waits out the account rate holding the account slot but no global slot', async () => {
    const limits = new Limits(1, 2);
    const order: string[] = [];
    // 'paced' must wait 30 ms for its turn; 'free' (another account) takes the only global slot meanwhile.
    const paced = limits.run('paced', async () => void order.push('paced'), () => 30);
    await new Promise((r) => setTimeout(r, 5));
    expect(limits.apiInFlight).toBe(0);
    await limits.run('free', async () => void order.push('free'));
    await paced;
    expect(order).toEqual(['free', 'paced']);
  });
});

describe('Limits.visitWindow', () => {
  it('runs base visits at once while the global slots are busy', async () => {
    const limits = new Limits(4, 4);
    const window = limits.visitWindow(2, 5);
    let active = 0;
    let most = 0;
    // Each visit keeps all four global slots busy for 20 ms.
    const visit = () =>
      window(async () => {
        active++;
        most = Math.max(most, active);
        await Promise.all(Array.from({ length: 4 }, () => limits.run(`a${active}`, () => new Promise((r) => setTimeout(r, 20)))));
        active--;
      });
    await Promise.all(Array.from({ length: 6 }, visit));
    expect(most).toBe(2);
  });

  it('grows past base, up to 4 x base, while visits leave the global slots idle', async () => {
    const limits = new Limits(32, 8);
    const window = limits.visitWindow(2, 2);
    let active = 0;
    let most = 0;
    // Visits that only wait (paced by their rate, or backing off) and send nothing.
    const visit = () =>
      window(async () => {
        active++;
        most = Math.max(most, active);
        await new Promise((r) => setTimeout(r, 60));
        active--;
      });
    await Promise.all(Array.from({ length: 20 }, visit));
    expect(most).toBeGreaterThan(2);
    expect(most).toBeLessThanOrEqual(8);
  });

  it('passes on a visit’s failure and keeps going', async () => {
    const limits = new Limits(4, 2);
    const window = limits.visitWindow(1);
    const failed = window(() => Promise.reject(new Error('boom')));
    await expect(failed).rejects.toThrow('boom');
    await expect(window(() => Promise.resolve('next'))).resolves.toBe('next');
  });
});
