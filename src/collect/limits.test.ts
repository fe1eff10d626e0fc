import { describe, expect, it } from 'vitest';
import { Limits, Semaphore } from './limits.js';

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

describe('Semaphore', () => {
  it('runs at most max tasks, starts the rest first in, first out, and frees a slot however a task ends', async () => {
    const slots = new Semaphore(3);
    let running = 0;
    let most = 0;
    const started: number[] = [];
    const results = await Promise.allSettled(
      Array.from({ length: 40 }, (_, i) =>
        slots.run(async () => {
          started.push(i);
          running++;
          most = Math.max(most, running);
          await new Promise((r) => setTimeout(r, (i * 7) % 5));
          running--;
          if (i % 4 === 1) throw new Error(`task ${i} failed`);
          if (i % 4 === 2) return Promise.reject(new Error(`task ${i} rejected`));
          return i;
        }),
      ),
    );
    expect(most).toBe(3);
    expect(started).toEqual(Array.from({ length: 40 }, (_, i) => i));
    expect(results.map((r) => (r.status === 'fulfilled' ? r.value : (r.reason as Error).message))).toEqual(
      Array.from({ length: 40 }, (_, i) => (i % 4 === 1 ? `task ${i} failed` : i % 4 === 2 ? `task ${i} rejected` : i)),
    );
    expect({ active: slots.activeCount, pending: slots.pendingCount }).toEqual({ active: 0, pending: 0 });
  });

  it('starts a task in the caller’s turn when a slot is free, and turns a synchronous throw into a rejection', async () => {
    const slots = new Semaphore(1);
    let ran = false;
    const first = slots.run(async () => {
      ran = true;
      await tick();
    });
    expect(ran).toBe(true);
    const second = slots.run(() => {
      throw new Error('thrown before any promise');
    });
    expect(slots.pendingCount).toBe(1);
    await first;
    await expect(second).rejects.toThrow('thrown before any promise');
    // The slot came back: the next task runs.
    await expect(slots.run(() => Promise.resolve('after'))).resolves.toBe('after');
    for (const bad of [0, -1, 1.5, Number.NaN]) expect(() => new Semaphore(bad)).toThrow(TypeError);
    // No cap, as p-limit allowed: every task starts at once.
    const open = new Semaphore(Number.POSITIVE_INFINITY);
    const never = Array.from({ length: 100 }, () => open.run(() => new Promise<void>(() => {})));
    expect({ active: open.activeCount, pending: open.pendingCount, tasks: never.length }).toEqual({ active: 100, pending: 0, tasks: 100 });
  });

  it('keeps its queue bounded over many tasks passing through one slot', async () => {
    const slots = new Semaphore(1);
    let done = 0;
    await Promise.all(Array.from({ length: 5000 }, () => slots.run(async () => void done++)));
    expect(done).toBe(5000);
    // 4,999 waited at once; the consumed front of the queue was dropped as it went, not kept to the end.
    expect(slots.pendingCount).toBe(0);
    expect((slots as unknown as { waiting: unknown[] }).waiting.length).toBeLessThan(2048);
  });
});
