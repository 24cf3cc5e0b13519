// Group commit in isolation: batching, ordering, gathering delay, failure fan-out and recovery, draining.
import { describe, expect, it } from 'vitest';
import { StoreError } from '../../../src/errors.js';
import { GroupCommitter } from '../../../src/store/group-commit.js';
import { settle } from './helpers.js';

/** A commit function that records its batches and finishes each after one macrotask, like a disk write. */
function recorder(fail: (batch: readonly number[]) => Error | undefined = () => undefined) {
  const batches: number[][] = [];
  const commit = async (writes: readonly number[]): Promise<void> => {
    batches.push([...writes]);
    await new Promise((resolve) => setImmediate(resolve));
    const error = fail(writes);
    if (error !== undefined) throw error;
  };
  return { batches, commit };
}

async function until(condition: () => boolean): Promise<void> {
  while (!condition()) await new Promise((resolve) => setTimeout(resolve, 1));
}

describe('GroupCommitter', () => {
  it('merges everything requested during a commit into the next batch, in request order', async () => {
    const { batches, commit } = recorder();
    const committer = new GroupCommitter(commit, { maxBatch: 100, commitIntervalMs: 0 });
    const first = committer.submit([0]);
    await new Promise((resolve) => setImmediate(resolve)); // batch [0] is now in flight
    const rest = Array.from({ length: 20 }, (_, i) => committer.submit([i + 1]));
    await Promise.all([first, ...rest]);
    expect(batches).toEqual([[0], Array.from({ length: 20 }, (_, i) => i + 1)]);
    expect(committer.stats()).toMatchObject({ commits: 2, pending: 0, writable: true });
  });

  it('never splits one request and caps batches at maxBatch otherwise', async () => {
    const { batches, commit } = recorder();
    const committer = new GroupCommitter(commit, { maxBatch: 3, commitIntervalMs: 0 });
    await Promise.all([committer.submit([1, 2]), committer.submit([3, 4, 5, 6]), committer.submit([7]), committer.submit([8])]);
    expect(batches).toEqual([[1, 2], [3, 4, 5, 6], [7, 8]]);
  });

  it('picks up a request submitted by a caller continuation after any number of microtask hops', async () => {
    const { batches, commit } = recorder();
    const committer = new GroupCommitter(commit, { maxBatch: 10, commitIntervalMs: 0 });
    for (let hops = 0; hops < 8; hops++) {
      const chained = committer.submit([hops]).then(async () => {
        for (let i = 0; i < hops; i++) await Promise.resolve();
        return committer.submit([100 + hops]);
      });
      const outcome = await Promise.race([
        chained.then(() => 'done'),
        new Promise((resolve) => setTimeout(resolve, 1000, 'stranded')),
      ]);
      expect(outcome).toBe('done');
    }
    expect(batches.flat()).toHaveLength(16);
  });

  it('waits commitIntervalMs when idle to gather more requests', async () => {
    const { batches, commit } = recorder();
    const committer = new GroupCommitter(commit, { maxBatch: 100, commitIntervalMs: 40 });
    const a = committer.submit([1]);
    await new Promise((resolve) => setTimeout(resolve, 5));
    const b = committer.submit([2]);
    await Promise.all([a, b]);
    expect(batches).toEqual([[1, 2]]);
  });

  it('gathers what queued during a commit for commitIntervalMs after it before the next batch', async () => {
    const batches: number[][] = [];
    let finish = (): void => {};
    const commit = (writes: readonly number[]): Promise<void> => {
      batches.push([...writes]);
      return new Promise((resolve) => (finish = resolve));
    };
    const committer = new GroupCommitter(commit, { maxBatch: 100, commitIntervalMs: 40 });
    const first = committer.submit([1]);
    await until(() => batches.length === 1); // batch [1] is in flight until finish()
    const second = committer.submit([2]);
    finish();
    await first;
    await new Promise((resolve) => setTimeout(resolve, 5));
    expect(batches).toEqual([[1]]); // [2] waits out the window after the commit
    const third = committer.submit([3]);
    await until(() => batches.length === 2);
    finish();
    await Promise.all([second, third]);
    expect(batches).toEqual([[1], [2, 3]]);
  });

  it('does not gather after a commit that took four windows or more (the server is behind)', async () => {
    const batches: number[][] = [];
    let finish = (): void => {};
    const commit = (writes: readonly number[]): Promise<void> => {
      batches.push([...writes]);
      return new Promise((resolve) => (finish = resolve));
    };
    const committer = new GroupCommitter(commit, { maxBatch: 100, commitIntervalMs: 10 });
    const first = committer.submit([1]);
    await until(() => batches.length === 1);
    const second = committer.submit([2]);
    await new Promise((resolve) => setTimeout(resolve, 45)); // batch [1] takes over 4 windows
    finish();
    await first;
    await new Promise((resolve) => setImmediate(resolve));
    expect(batches).toEqual([[1], [2]]); // started at once, no 10 ms pause
    finish();
    await second;
  });

  it('starts a gathering batch at once when it fills, and drain does not wait out the window', async () => {
    const { batches, commit } = recorder();
    const committer = new GroupCommitter(commit, { maxBatch: 3, commitIntervalMs: 60_000 });
    const started = Date.now();
    const first = committer.submit([1, 2, 3]); // full: committed at once
    await new Promise((resolve) => setImmediate(resolve));
    const during = [committer.submit([4]), committer.submit([5])];
    await first;
    const filling = committer.submit([6]); // fills the gathering batch: no wait
    await Promise.all([...during, filling]);
    const last = committer.submit([7]);
    await committer.drain();
    await last;
    expect(Date.now() - started).toBeLessThan(5_000);
    expect(batches).toEqual([[1, 2, 3], [4, 5, 6], [7]]);
  });

  it('commits at once when maxBatch writes are queued, without waiting out the interval', async () => {
    const { batches, commit } = recorder();
    const committer = new GroupCommitter(commit, { maxBatch: 2, commitIntervalMs: 60_000 });
    const started = Date.now();
    await Promise.all([committer.submit([1]), committer.submit([2])]);
    expect(Date.now() - started).toBeLessThan(5_000);
    expect(batches).toEqual([[1, 2]]);
  });

  it('rejects every caller of a failed batch with DHCPD_ERR_STORE_WRITE and recovers on the next success', async () => {
    const disk = new Error('EIO: disk on fire');
    let failing = true;
    const { commit } = recorder(() => (failing ? disk : undefined));
    const failures: number[] = [];
    let recovered = 0;
    const committer = new GroupCommitter(commit, {
      maxBatch: 100,
      commitIntervalMs: 0,
      onFailure: (_error, requests) => {
        failures.push(requests);
        throw new Error('a throwing observer must not matter');
      },
      onRecover: () => (recovered += 1),
    });
    const outcomes = await Promise.all([settle(committer.submit([1])), settle(committer.submit([2]))]);
    for (const outcome of outcomes) {
      expect(outcome.ok).toBe(false);
      const error = outcome.ok ? undefined : outcome.error;
      expect(error).toBeInstanceOf(StoreError);
      expect(error).toMatchObject({ code: 'DHCPD_ERR_STORE_WRITE', cause: disk, transient: true });
    }
    expect(failures).toEqual([2]);
    expect(committer.stats()).toMatchObject({ writable: false, failures: 1, commits: 0 });
    expect(committer.stats().lastError).toContain('disk on fire');
    failing = false;
    await committer.submit([3]);
    expect(committer.stats()).toMatchObject({ writable: true, commits: 1 });
    expect(recovered).toBe(1);
  });

  it('drain commits queued requests at once and waits for them', async () => {
    const { batches, commit } = recorder();
    const committer = new GroupCommitter(commit, { maxBatch: 100, commitIntervalMs: 60_000 });
    let done = false;
    const write = committer.submit([1]).then(() => (done = true));
    await committer.drain();
    expect(done).toBe(true);
    expect(batches).toEqual([[1]]);
    await write;
    await committer.drain(); // idle: returns at once
  });

  it('rejects nonsense options as programmer errors', () => {
    const { commit } = recorder();
    expect(() => new GroupCommitter(commit, { maxBatch: 0, commitIntervalMs: 0 })).toThrow(TypeError);
    expect(() => new GroupCommitter(commit, { maxBatch: 1, commitIntervalMs: -1 })).toThrow(TypeError);
  });
});
