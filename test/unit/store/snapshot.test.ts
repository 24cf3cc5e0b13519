// The start-up snapshot of the LevelDB store (real LevelDB on disk): loaded only when it is exactly the store's
// content, and then it gives the very leases a full scan gives; otherwise the store falls back to the scan, with the
// reason. Crashes are real: a writing child process is SIGKILLed during the snapshot write and after commits the
// snapshot does not hold.
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { once } from 'node:events';
import { copyFile, cp, readFile, rename, truncate, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Level } from 'level';
import { describe, expect, it } from 'vitest';
import type { LeaseRecord } from '../../../machines/lease.types.js';
import { LeaseBook } from '../../../src/leases/lease-book.js';
import { openLevelStore } from '../../../src/store/open.js';
import { repairStore } from '../../../src/store/repair.js';
import type { CommittedMemo } from '../../../src/store/committed-memo.js';
import { readSnapshot } from '../../../src/store/snapshot-file.js';
import { prefetchSnapshot, readWhole } from '../../../src/store/snapshot-prefetch.js';
import { SNAPSHOT_CHECKED_FROM } from '../../../src/store/snapshots.js';
import type { LevelLeaseStore } from '../../../src/store/level-store.js';
import type { SnapshotLoad } from '../../../src/store/snapshots.js';
import { collect, del, makeRecord, makeTempDir, put, testIp } from './helpers.js';

const WRITER = fileURLToPath(new URL('./fixtures/snapshot-writer.ts', import.meta.url));
const PROJECT = fileURLToPath(new URL('../../../', import.meta.url));
const FILE = 'lease-snapshot.bin';

const open = (dir: string): Promise<LevelLeaseStore> => openLevelStore(dir, { snapshotPath: join(dir, FILE) });

/** Records of every kind the columns hold: hostnames, a hardware address that is not the key's tail, odd times. */
function variedRecords(count: number): LeaseRecord[] {
  return Array.from({ length: count }, (_, i) => {
    const base = makeRecord(testIp(i), i % 4 === 0 ? `id:01:${i}` : `hw:1:02:00:00:00:${i}`, {
      state: (['bound', 'released', 'declined', 'expired', 'renewing'] as const)[i % 5],
      ...(i % 3 === 0 ? { hostname: `host-${i}` } : {}),
      subnetId: 1 + (i % 2),
    });
    const hwAddress = i % 4 === 0 ? '02:00:00:00:00:01' : `00:00:00:${i}`;
    const changedAt = i % 7 === 0 ? base.context.changedAt + 0.5 : base.context.changedAt; // not an offset: kept exactly
    return { ...base, context: { ...base.context, hwAddress, changedAt } };
  });
}

/** The book's leases from a snapshot load, as records in address order. */
function bookRecords(loaded: SnapshotLoad): LeaseRecord[] {
  if (!loaded.ok) throw new Error(`snapshot not loaded: ${loaded.reason} (${loaded.detail})`);
  const book = new LeaseBook({ clock: { now: () => 0, setTimer: () => ({ cancel: () => {} }) }, onTimerChange: () => {} });
  book.loadPacked(loaded.leases);
  const records = [...book.values()];
  book.stop();
  return sortByIp(records);
}

const sortByIp = (records: LeaseRecord[]): LeaseRecord[] =>
  [...records].sort((a, b) => ipNumber(a.context.ip) - ipNumber(b.context.ip));
const ipNumber = (ip: string): number => ip.split('.').reduce((n, octet) => n * 256 + Number(octet), 0);

async function scan(dir: string): Promise<LeaseRecord[]> {
  const store = await openLevelStore(dir);
  try {
    return sortByIp(await collect(store.loadAll()));
  } finally {
    await store.close();
  }
}

/** The commit sequence the snapshot file is at (its header: snapshot-file.ts). */
async function snapshotSeq(dir: string): Promise<number> {
  return readSnapshot(join(dir, FILE)).seq;
}

async function loadOnce(dir: string): Promise<SnapshotLoad> {
  const store = await open(dir);
  try {
    return await store.loadSnapshot();
  } finally {
    await store.close();
  }
}

describe('start-up snapshot (LevelDB store)', () => {
  it('is written at a clean close and loads the very leases a full scan reads', async () => {
    const temp = await makeTempDir('dhcpd-snap-');
    try {
      const store = await open(temp.dir);
      expect(await store.loadSnapshot()).toMatchObject({ ok: false, reason: 'missing' });
      await store.write(variedRecords(300).map(put));
      await store.write([{ kind: 'delete', ip: testIp(5) }]);
      await store.close();

      const loaded = await loadOnce(temp.dir);
      expect(loaded.ok).toBe(true);
      const scanned = await scan(temp.dir);
      expect(scanned).toHaveLength(299);
      expect(bookRecords(loaded)).toEqual(scanned);
    } finally {
      await temp.remove();
    }
  });

  it('is not written at the close of a store opened with snapshotAtClose false, and the next start still has every lease', async () => {
    const temp = await makeTempDir('dhcpd-snap-');
    try {
      const first = await open(temp.dir);
      await first.write([put(makeRecord(testIp(1), 'hw:1:aa'))]);
      await first.close();
      const seq = await snapshotSeq(temp.dir);

      const scratch = await openLevelStore(temp.dir, { snapshotPath: join(temp.dir, FILE), snapshotAtClose: false });
      expect((await scratch.loadSnapshot()).ok).toBe(true);
      await scratch.write([put(makeRecord(testIp(2), 'hw:1:bb'))]);
      await scratch.close();
      expect(await snapshotSeq(temp.dir)).toBe(seq);

      // The old snapshot and the commit journal kept beside it, as after a crash.
      const loaded = await loadOnce(temp.dir);
      expect(bookRecords(loaded).map((r) => r.context.ip)).toEqual([testIp(1), testIp(2)]);
      expect(await scan(temp.dir)).toHaveLength(2);
    } finally {
      await temp.remove();
    }
  });

  it('after a snapshot load, writes append to the history the snapshot knew and a later start sees them', async () => {
    const temp = await makeTempDir('dhcpd-snap-');
    try {
      const first = await open(temp.dir);
      const record = makeRecord(testIp(1), 'hw:1:aa');
      const transition = (xid: number) =>
        ({ at: Date.now(), ip: testIp(1), subnetId: 1, clientKey: 'hw:1:aa', from: 'offered', to: 'bound', event: 'lease.commit', xid } as const);
      await first.write([{ kind: 'put', record, transitions: [transition(1)] }]);
      await first.close();

      const second = await open(temp.dir);
      expect((await second.loadSnapshot()).ok).toBe(true);
      await second.write([{ kind: 'put', record, transitions: [transition(2)] }]);
      expect((await second.history(testIp(1))).map((t) => t.xid)).toEqual([1, 2]);
      await second.write([put(makeRecord(testIp(2), 'hw:1:bb'))]);
      await second.close();

      const loaded = await loadOnce(temp.dir);
      expect(bookRecords(loaded).map((r) => r.context.ip)).toEqual([testIp(1), testIp(2)]);
    } finally {
      await temp.remove();
    }
  });

  it('is stale after any commit it does not hold, and then the scan has that commit', async () => {
    const temp = await makeTempDir('dhcpd-snap-');
    try {
      const store = await open(temp.dir);
      await store.write([put(makeRecord(testIp(1), 'hw:1:aa'))]);
      await store.close();
      const saved = await readFile(join(temp.dir, FILE));
      const again = await open(temp.dir);
      await again.write([{ kind: 'delete', ip: testIp(1) }]);
      await again.close();
      // The old file back, as if the process had died before its close wrote a new one.
      await writeFile(join(temp.dir, FILE), saved);
      expect(await loadOnce(temp.dir)).toMatchObject({ ok: false, reason: 'stale' });
      expect(await scan(temp.dir)).toEqual([]);
    } finally {
      await temp.remove();
    }
  });

  it('falls back on a torn, damaged or foreign file', async () => {
    const temp = await makeTempDir('dhcpd-snap-');
    const other = await makeTempDir('dhcpd-snap-other-');
    try {
      for (const dir of [temp.dir, other.dir]) {
        const store = await open(dir);
        await store.write(variedRecords(50).map(put));
        await store.close();
      }
      const path = join(temp.dir, FILE);
      const good = await readFile(path);

      await truncate(path, good.length - 100);
      expect(await loadOnce(temp.dir)).toMatchObject({ ok: false, reason: 'damaged' });

      const flipped = Buffer.from(good);
      flipped[Math.floor(good.length / 2)]! ^= 0x40;
      await writeFile(path, flipped);
      expect(await loadOnce(temp.dir)).toMatchObject({ ok: false, reason: 'damaged' });

      await writeFile(path, Buffer.from('not a snapshot at all'));
      expect(await loadOnce(temp.dir)).toMatchObject({ ok: false, reason: 'damaged' });

      await copyFile(join(other.dir, FILE), path);
      expect(await loadOnce(temp.dir)).toMatchObject({ ok: false, reason: 'foreign' });

      // Each of those starts closed cleanly, which wrote a good snapshot again.
      expect((await loadOnce(temp.dir)).ok).toBe(true);
    } finally {
      await temp.remove();
      await other.remove();
    }
  });

  it('is stale once anything else opened the database since (an older version that writes no sequence, say)', async () => {
    const temp = await makeTempDir('dhcpd-snap-');
    try {
      const store = await open(temp.dir);
      await store.write([put(makeRecord(testIp(1), 'hw:1:aa'))]);
      await store.close();
      const other = new Level<string, string>(temp.dir);
      await other.open();
      await other.close();
      expect(await loadOnce(temp.dir)).toMatchObject({ ok: false, reason: 'stale' });
      expect((await loadOnce(temp.dir)).ok).toBe(true); // the store's own close wrote a fresh one
    } finally {
      await temp.remove();
    }
  });

  it('at a close after a snapshot start, is the start-up one plus the leases written since (no scan), as a scan reads them', async () => {
    const temp = await makeTempDir('dhcpd-snap-');
    try {
      const first = await open(temp.dir);
      await first.write(variedRecords(400).map(put));
      await first.close();

      const events: Record<string, unknown>[] = [];
      const logger = { info: (o: object) => events.push(o as Record<string, unknown>), warn: () => {}, error: () => {} };
      const second = await openLevelStore(temp.dir, { snapshotPath: join(temp.dir, FILE), logger });
      expect((await second.loadSnapshot()).ok).toBe(true);
      const changed = variedRecords(420).slice(390).map((r, i) => ({
        ...r, state: 'released' as const, context: { ...r.context, clientKey: `id:moved-${i}`, hostname: `moved-${i}`, hwAddress: `0${i % 10}:aa` },
      }));
      await second.write(changed.map(put)); // 10 changed in place, 20 at new addresses
      await second.write([3, 7, 395].map((i) => del(testIp(i))));
      await second.write([put(makeRecord(testIp(7), 'hw:1:back-again', { hostname: 'again' }))]);
      await second.write([del(testIp(1_000))]); // never stored
      await second.close();
      expect(events.find((e) => e.evt === 'store.snapshot.written')).toMatchObject({ from: 'snapshot', written: 33 });

      const loaded = await loadOnce(temp.dir);
      const scanned = await scan(temp.dir);
      expect(scanned).toHaveLength(418);
      expect(bookRecords(loaded)).toEqual(scanned);
    } finally {
      await temp.remove();
    }
  });

  it('at such a close, builds it from every stored lease when the start-up file is no longer the one it loaded', async () => {
    const temp = await makeTempDir('dhcpd-snap-');
    const other = await makeTempDir('dhcpd-snap-other-');
    try {
      for (const dir of [temp.dir, other.dir]) {
        const store = await open(dir);
        await store.write(variedRecords(60).map(put));
        await store.close();
      }
      const events: Record<string, unknown>[] = [];
      const logger = { info: (o: object) => events.push(o as Record<string, unknown>), warn: () => {}, error: () => {} };
      const store = await openLevelStore(temp.dir, { snapshotPath: join(temp.dir, FILE), logger });
      expect((await store.loadSnapshot()).ok).toBe(true);
      await store.write([del(testIp(2))]);
      await copyFile(join(other.dir, FILE), join(temp.dir, FILE)); // another store's file in its place
      await store.close();
      expect(events.find((e) => e.evt === 'store.snapshot.written')).toMatchObject({ from: 'scan' });
      const loaded = await loadOnce(temp.dir);
      expect(bookRecords(loaded)).toEqual(await scan(temp.dir));
      expect(bookRecords(loaded)).toHaveLength(59);
    } finally {
      await temp.remove();
      await other.remove();
    }
  });

  it('is dropped by repair-store, which changes the content without a commit', async () => {
    const temp = await makeTempDir('dhcpd-snap-');
    try {
      const store = await open(temp.dir);
      await store.write([put(makeRecord(testIp(1), 'hw:1:aa'))]);
      await store.close();
      expect((await loadOnce(temp.dir)).ok).toBe(true);
      await repairStore(temp.dir);
      expect(await loadOnce(temp.dir)).toMatchObject({ ok: false, reason: 'missing' });
    } finally {
      await temp.remove();
    }
  });
});

/** Runs the writer; `onLine` may SIGKILL it (`kill`). Returns the acknowledged addresses and whether it closed. */
async function runWriter(
  dir: string,
  args: string[],
  onLine: (line: string, acked: number, kill: () => void) => void = () => {},
): Promise<{ acked: string[]; deleted: string[]; closed: boolean }> {
  const child = spawn(process.execPath, ['--import', 'tsx', WRITER, dir, ...args], { cwd: PROJECT, stdio: ['ignore', 'pipe', 'pipe'] });
  const acked: string[] = [];
  const deleted: string[] = [];
  let closed = false;
  let partial = '';
  let stderr = '';
  const kill = (): void => void child.kill('SIGKILL');
  const timeout = setTimeout(kill, 60_000);
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  child.stdout.on('data', (chunk: Buffer) => {
    const got = (partial + chunk.toString()).split('\n');
    partial = got.pop() ?? ''; // an unterminated line was not acknowledged completely
    for (const line of got) {
      if (/^\d/.test(line)) acked.push(line);
      if (line.startsWith('-')) deleted.push(line.slice(1));
      if (line === 'closed') closed = true;
      onLine(line, acked.length, kill);
    }
  });
  const [code, signal] = (await once(child, 'exit')) as [number | null, NodeJS.Signals | null];
  clearTimeout(timeout);
  if (signal !== 'SIGKILL' && code !== 0) throw new Error(`writer failed (${code}): ${stderr}`);
  return { acked, deleted, closed };
}

/** After a crash: a snapshot is either stale (the scan is used) or loads exactly what the scan reads; nothing ACKed is lost. */
/** What a request can see of the book a start loads: its leases, each one's client's current lease, the offers. */
function bookView(loaded: SnapshotLoad): unknown {
  if (!loaded.ok) throw new Error(`snapshot not loaded: ${loaded.reason} (${loaded.detail})`);
  const book = new LeaseBook({ clock: { now: () => 0, setTimer: () => ({ cancel: () => {} }) }, onTimerChange: () => {} });
  book.loadPacked(loaded.leases);
  const leases = sortByIp([...book.values()]);
  const current = leases.map(({ context }) => book.currentLeaseOf(context.subnetId, context.clientKey)?.context.ip);
  const offers = [1, 2].map((subnet) => [...book.offeredOldestFirst(subnet)].sort());
  book.stop();
  return { leases, current, offers };
}

/** The history range the store's committed memo holds for each address (private: the memo has no API outside). */
function memoRanges(store: LevelLeaseStore, ips: readonly string[]): unknown[] {
  const memo = (store as unknown as { memo: CommittedMemo }).memo;
  return ips.map((ip) => memo.get(ipNumber(ip))?.history ?? null);
}

/**
 * The same start (from `copies[0]`, a copy of the directory `loaded` started from) with the snapshot read, checked and
 * indexed by a worker thread as the daemon's prefetch does (here whatever the file's size): the same book, and the
 * committed memo (the history ranges the next writes continue) the same as a full scan of `copies[1]` gives.
 */
async function expectSameStartPrefetched(copies: readonly [string, string], loaded: SnapshotLoad): Promise<void> {
  const [copy, scanned] = copies;
  // The worker applies the delta file's sections itself, when there are some.
  const read = await readWhole(join(copy, FILE), SNAPSHOT_CHECKED_FROM, { inThreadMaxBytes: 0, forStart: true });
  expect(read.checked?.delta?.entries ?? 0).toBe(loaded.ok ? loaded.delta ?? 0 : -1);
  await prefetchSnapshot(join(copy, FILE), SNAPSHOT_CHECKED_FROM, { inThreadMaxBytes: 0 });
  const store = await open(copy);
  const prefetched = await store.loadSnapshot();
  const counts = (load: SnapshotLoad) => (load.ok ? [load.delta, load.replayed] : load.reason);
  expect(counts(prefetched)).toEqual(counts(loaded));
  expect(prefetched.ok && prefetched.leases.indexed).toBe(true);
  expect(loaded.ok && loaded.leases.indexed).toBe(false);
  expect(bookView(prefetched)).toEqual(bookView(loaded));
  const ips = bookRecords(loaded).map((record) => record.context.ip);
  const ranges = memoRanges(store, ips);
  await store.close();
  const scan = await openLevelStore(scanned);
  await collect(scan.loadAll());
  expect(ranges).toEqual(memoRanges(scan, ips));
  await scan.close();
}

/** Two copies of `dir` (for expectSameStartPrefetched), removed after `use`. */
async function withCopies<T>(dir: string, use: (copies: readonly [string, string]) => Promise<T>): Promise<T> {
  const copies = [await makeTempDir('dhcpd-snap-kill-'), await makeTempDir('dhcpd-snap-kill-')];
  try {
    for (const copy of copies) await cp(dir, copy.dir, { recursive: true });
    return await use([copies[0]!.dir, copies[1]!.dir]);
  } finally {
    for (const copy of copies) await copy.remove();
  }
}

async function expectSafeStart(dir: string, everAcked: ReadonlySet<string>, deleted: ReadonlySet<string> = new Set()): Promise<SnapshotLoad> {
  const loaded = await loadOnce(dir);
  const scanned = await scan(dir);
  const present = new Set(scanned.map((r) => r.context.ip));
  expect([...everAcked].filter((ip) => !present.has(ip))).toEqual([]);
  expect([...deleted].filter((ip) => present.has(ip))).toEqual([]);
  if (loaded.ok) expect(bookRecords(loaded)).toEqual(scanned);
  else expect(loaded.reason).toBe('stale');
  return loaded;
}

/**
 * After a kill while checkpoints were written: the start from `dir`, and from a copy of it whose journal is under
 * its ".next" name, as a kill between a checkpoint's write and its journal's move leaves it. Both must be safe.
 */
async function expectSafeStartsAfterCheckpoints(dir: string, run: { acked: string[]; deleted: string[] }): Promise<[SnapshotLoad, SnapshotLoad]> {
  const moved = await makeTempDir('dhcpd-snap-kill-');
  try {
    await cp(dir, moved.dir, { recursive: true });
    await rename(join(moved.dir, `${FILE}.journal`), join(moved.dir, `${FILE}.journal.next`));
    const acked = new Set(run.acked);
    const deleted = new Set(run.deleted.filter((ip) => !acked.has(ip)));
    return [await expectSafeStart(dir, acked, deleted), await expectSafeStart(moved.dir, acked, deleted)];
  } finally {
    await moved.remove();
  }
}

describe('start-up snapshot across SIGKILL (real LevelDB, child process)', () => {
  it('killed while its snapshot is written: the old file (stale) or the new one, never a torn one', { timeout: 180_000 }, async () => {
    const temp = await makeTempDir('dhcpd-snap-kill-');
    const everAcked = new Set<string>();
    try {
      const clean = await runWriter(temp.dir, ['0', '2000', 'close']);
      expect(clean.closed).toBe(true);
      for (const ip of clean.acked) everAcked.add(ip);
      const outcomes: string[] = [];
      for (const [round, delayMs] of [0, 2, 10, 30, 80].entries()) {
        const run = await runWriter(temp.dir, [String((round + 1) * 4000), '4000', 'close'], (line, _acked, kill) => {
          if (line === 'closing') setTimeout(kill, delayMs);
        });
        for (const ip of run.acked) everAcked.add(ip);
        const loaded = await expectSafeStart(temp.dir, everAcked);
        outcomes.push(loaded.ok ? 'new' : 'old');
      }
      // Whichever each kill hit, every start was safe; the rounds are recorded for a failing run's message.
      expect(outcomes).toHaveLength(5);
    } finally {
      await temp.remove();
    }
  });

  it('killed while it writes one from the start-up snapshot and the leases since: old or new file, never torn', { timeout: 180_000 }, async () => {
    const temp = await makeTempDir('dhcpd-snap-kill-');
    const everAcked = new Set<string>();
    try {
      const clean = await runWriter(temp.dir, ['0', '2000', 'close', 'load']);
      expect(clean.closed).toBe(true);
      for (const ip of clean.acked) everAcked.add(ip);
      for (const [round, delayMs] of [0, 5, 20].entries()) {
        // Half the writes replace leases the start-up snapshot holds, half add new addresses.
        const run = await runWriter(temp.dir, [String(1000 + round * 2000), '2000', 'close', 'load'], (line, _acked, kill) => {
          if (line === 'closing') setTimeout(kill, delayMs);
        });
        for (const ip of run.acked) everAcked.add(ip);
        await expectSafeStart(temp.dir, everAcked);
      }
      const last = await runWriter(temp.dir, ['0', '10', 'close', 'load']);
      expect(last.closed).toBe(true);
      expect((await expectSafeStart(temp.dir, everAcked)).ok).toBe(true);
    } finally {
      await temp.remove();
    }
  });

  it('killed after commits following a start from its snapshot: its commit journal gives exactly what the scan reads', { timeout: 120_000 }, async () => {
    const temp = await makeTempDir('dhcpd-snap-kill-');
    try {
      expect((await runWriter(temp.dir, ['0', '2000', 'close'])).closed).toBe(true);
      // Replacements of stored leases, deletions of some, then (after a clean close and re-open) new addresses. Each
      // round acknowledges 857 puts (every 7th of its 1000 writes is a delete): the kill comes in the second one.
      const killAfter = 857 + 50 + Math.floor(Math.random() * 700);
      const run = await runWriter(temp.dir, ['1000', '1000', 'reopen', 'load', 'deletes'], (_line, acked, kill) => {
        if (acked >= killAfter) kill();
      });
      const deleted = new Set(run.deleted.filter((ip) => !run.acked.includes(ip)));
      await withCopies(temp.dir, async (copies) => {
        const loaded = await expectSafeStart(temp.dir, new Set(run.acked), deleted);
        expect(loaded).toMatchObject({ ok: true });
        expect(loaded.ok && loaded.replayed).toBeGreaterThan(0);
        await expectSameStartPrefetched(copies, loaded);
      });
    } finally {
      await temp.remove();
    }
  });

  it('killed after many rewrites with checkpoints on: starts from the newest one, replays few addresses, loses nothing', { timeout: 120_000 }, async () => {
    const temp = await makeTempDir('dhcpd-snap-kill-');
    try {
      expect((await runWriter(temp.dir, ['0', '2000', 'close'])).closed).toBe(true);
      // Every write names another address (2,000 rewrites, then new ones): without checkpoints, the journal would name
      // every address the session wrote. The kill comes 100 acknowledgements after the second checkpoint. The writer
      // has far more to write than that takes, so a slow host's late checkpoints do not let it finish and close first.
      const checkpoints: number[] = [];
      let killAt = Infinity;
      const run = await runWriter(temp.dir, ['0', '120000', 'close', 'load', 'deletes', '300'], (line, acked, kill) => {
        if (line.startsWith('checkpoint ')) checkpoints.push(Number(line.slice(11)));
        if (checkpoints.length >= 2 && killAt === Infinity) killAt = acked + 100;
        if (acked >= killAt) kill();
      });
      expect(run.closed).toBe(false);
      expect(checkpoints.length).toBeGreaterThanOrEqual(2);
      expect(await snapshotSeq(temp.dir)).toBeGreaterThanOrEqual(checkpoints.at(-1)!);
      const [loaded, fromNext] = await expectSafeStartsAfterCheckpoints(temp.dir, run);
      expect(loaded).toMatchObject({ ok: true });
      if (!loaded.ok) return;
      // The checkpoints covered at least their 300 addresses each; at most the 32 writes in flight were not acknowledged.
      expect(loaded.replayed ?? 0).toBeLessThanOrEqual(run.acked.length + run.deleted.length + 32 - 2 * 300);
      expect(fromNext).toMatchObject({ ok: true, replayed: loaded.replayed });
    } finally {
      await temp.remove();
    }
  });

  it('with checkpoints written while it served, the snapshot of its clean stop is exactly what the scan reads', { timeout: 120_000 }, async () => {
    const temp = await makeTempDir('dhcpd-snap-kill-');
    try {
      expect((await runWriter(temp.dir, ['0', '2000', 'close'])).closed).toBe(true);
      const checkpoints: string[] = [];
      // 40,000 writes, and then more until two checkpoints were written: on a loaded host (the whole suite running)
      // the writes once outran all but the first, which is written in the background (niced: merge-priority.ts).
      const run = await runWriter(temp.dir, ['1000', '40000', 'close', 'load', 'deletes', '300', '0', '2'], (line) => {
        if (line.startsWith('checkpoint ')) checkpoints.push(line);
      });
      expect(run.closed).toBe(true);
      // Several, so that some end while writes are still queued.
      expect(checkpoints.length).toBeGreaterThanOrEqual(2);
      const loaded = await loadOnce(temp.dir);
      expect(loaded).toMatchObject({ ok: true });
      expect(bookRecords(loaded)).toEqual(await scan(temp.dir));
    } finally {
      await temp.remove();
    }
  });

  it('killed anywhere while checkpoints are written: always a start from a snapshot and its journal, nothing lost', { timeout: 180_000 }, async () => {
    const temp = await makeTempDir('dhcpd-snap-kill-');
    try {
      expect((await runWriter(temp.dir, ['0', '2000', 'close'])).closed).toBe(true);
      const everAcked = new Set<string>();
      for (let round = 0; round < 3; round++) {
        const killAfter = 100 + Math.floor(Math.random() * 2400);
        const run = await runWriter(temp.dir, [String(round * 700), '3000', 'close', 'load', 'deletes', '150'], (_line, acked, kill) => {
          if (acked >= killAfter) kill();
        });
        for (const ip of run.acked) everAcked.add(ip);
        for (const ip of run.deleted) if (!run.acked.includes(ip)) everAcked.delete(ip);
        const deleted = new Set(run.deleted.filter((ip) => !run.acked.includes(ip)));
        const loaded = await expectSafeStart(temp.dir, everAcked, deleted);
        expect(loaded, `round ${round}, killed after ${killAfter} acknowledgements`).toMatchObject({ ok: true });
        // The check's scan opened the store without its snapshot: a clean open and close gives the next round one.
        await loadOnce(temp.dir);
      }
    } finally {
      await temp.remove();
    }
  });

  it('killed after delta checkpoints: starts from the snapshot, its delta sections and the last journal, loses nothing', { timeout: 120_000 }, async () => {
    const temp = await makeTempDir('dhcpd-snap-kill-');
    try {
      expect((await runWriter(temp.dir, ['0', '2000', 'close'])).closed).toBe(true);
      const before = await snapshotSeq(temp.dir);
      // Checkpoints every 200 addresses, as delta sections while they name at most the store's size (2,000 and more).
      // The kill comes 100 acknowledgements after the third section, before any merge.
      const deltas: number[] = [];
      let killAt = Infinity;
      const run = await runWriter(temp.dir, ['1000', '120000', 'close', 'load', 'deletes', '200', '1'], (line, acked, kill) => {
        if (line.startsWith('delta ')) deltas.push(Number(line.slice(6)));
        if (deltas.length >= 3 && killAt === Infinity) killAt = acked + 100;
        if (acked >= killAt) kill();
      });
      expect(run.closed).toBe(false);
      expect(deltas.length).toBeGreaterThanOrEqual(3);
      // No merge yet: the snapshot file is the one of the clean stop, the delta file beside it.
      expect(await snapshotSeq(temp.dir)).toBe(before);
      expect(existsSync(join(temp.dir, `${FILE}.delta`))).toBe(true);
      const [loaded, fromNext] = await withCopies(temp.dir, async (copies) => {
        const starts = await expectSafeStartsAfterCheckpoints(temp.dir, run);
        expect(starts[0]).toMatchObject({ ok: true });
        await expectSameStartPrefetched(copies, starts[0]);
        return starts;
      });
      if (!loaded.ok) return;
      expect(loaded.delta).toBeGreaterThanOrEqual(3 * 200);
      expect(loaded.replayed ?? 0).toBeLessThanOrEqual(run.acked.length + run.deleted.length + 32 - 3 * 200);
      expect(fromNext).toMatchObject({ ok: true, delta: loaded.delta, replayed: loaded.replayed });
      // That start's clean close merged everything into a new snapshot: the delta file went with the old one.
      expect(existsSync(join(temp.dir, `${FILE}.delta`))).toBe(false);
    } finally {
      await temp.remove();
    }
  });

  it('with delta sections written while it served, the snapshot of its clean stop is exactly what the scan reads', { timeout: 120_000 }, async () => {
    const temp = await makeTempDir('dhcpd-snap-kill-');
    try {
      expect((await runWriter(temp.dir, ['0', '2000', 'close'])).closed).toBe(true);
      const lines: string[] = [];
      const run = await runWriter(temp.dir, ['1000', '6000', 'close', 'load', 'deletes', '200', '1'], (line) => {
        if (line.startsWith('delta ') || line.startsWith('checkpoint ')) lines.push(line);
      });
      expect(run.closed).toBe(true);
      expect(lines.filter((line) => line.startsWith('delta ')).length).toBeGreaterThanOrEqual(2);
      expect(existsSync(join(temp.dir, `${FILE}.delta`))).toBe(false);
      const loaded = await loadOnce(temp.dir);
      expect(loaded).toMatchObject({ ok: true });
      expect(loaded.ok && loaded.delta).toBeUndefined();
      expect(bookRecords(loaded)).toEqual(await scan(temp.dir));
    } finally {
      await temp.remove();
    }
  });

  it('killed anywhere while delta sections and merges alternate: always a start from a snapshot, nothing lost', { timeout: 180_000 }, async () => {
    const temp = await makeTempDir('dhcpd-snap-kill-');
    try {
      expect((await runWriter(temp.dir, ['0', '2000', 'close'])).closed).toBe(true);
      const everAcked = new Set<string>();
      // Checkpoints every 150 addresses, merged once the sections name a quarter of the store: a few sections, then a
      // merge, and so on. The kills: anywhere early; soon after a second checkpoint; soon after a merge.
      const killWhen: ((seen: string[], acked: number) => boolean)[] = [
        (_seen, acked) => acked >= 300 + Math.floor(Math.random() * 2700),
        (seen) => seen.length >= 2,
        (seen) => seen.includes('checkpoint'),
      ];
      const kinds = new Set<string>();
      for (const [round, due] of killWhen.entries()) {
        const seen: string[] = [];
        let killAt = Infinity;
        // Writing on until it is killed (a minimum of 100 checkpoints): a loaded host may write its merges late.
        const run = await runWriter(temp.dir, [String(round * 700), '40000', 'close', 'load', 'deletes', '150', '0.25', '100'], (line, acked, kill) => {
          if (line.startsWith('delta ') || line.startsWith('checkpoint ')) seen.push(line.split(' ')[0]!);
          if (killAt === Infinity && due(seen, acked)) killAt = acked + Math.floor(Math.random() * 300);
          if (acked >= killAt) kill();
        });
        expect(run.closed, `round ${round}: ${seen.join(', ')}`).toBe(false);
        for (const kind of seen) kinds.add(kind);
        for (const ip of run.acked) everAcked.add(ip);
        for (const ip of run.deleted) if (!run.acked.includes(ip)) everAcked.delete(ip);
        const deleted = new Set(run.deleted.filter((ip) => !run.acked.includes(ip)));
        const loaded = await expectSafeStart(temp.dir, everAcked, deleted);
        expect(loaded, `round ${round}, killed at ${killAt} acknowledgements after ${seen.join(', ')}`).toMatchObject({ ok: true });
        await loadOnce(temp.dir);
      }
      expect([...kinds].sort()).toEqual(['checkpoint', 'delta']);
    } finally {
      await temp.remove();
    }
  });

  it('after a kill, a damaged delta section is not applied, nor is the journal that follows it: the scan is', { timeout: 120_000 }, async () => {
    const temp = await makeTempDir('dhcpd-snap-kill-');
    try {
      expect((await runWriter(temp.dir, ['0', '2000', 'close'])).closed).toBe(true);
      let deltas = 0;
      const run = await runWriter(temp.dir, ['500', '120000', 'close', 'load', '-', '200', '1'], (line, _acked, kill) => {
        if (line.startsWith('delta ') && ++deltas === 2) kill();
      });
      const delta = join(temp.dir, `${FILE}.delta`);
      const bytes = await readFile(delta);
      bytes[bytes.length - 100]! ^= 0x01;
      await writeFile(delta, bytes);
      expect(await expectSafeStart(temp.dir, new Set(run.acked))).toMatchObject({ ok: false, reason: 'stale' });
    } finally {
      await temp.remove();
    }
  });

  it('killed twice in a row, each time after commits: the second start replays both sessions\' commits', { timeout: 120_000 }, async () => {
    const temp = await makeTempDir('dhcpd-snap-kill-');
    const everAcked = new Set<string>();
    const deleted = new Set<string>();
    try {
      expect((await runWriter(temp.dir, ['0', '1500', 'close'])).closed).toBe(true);
      for (const [first, killAfter] of [[500, 300], [1200, 400]] as const) {
        const run = await runWriter(temp.dir, [String(first), '1000', 'close', 'load', 'deletes'], (_line, acked, kill) => {
          if (acked >= killAfter) kill();
        });
        for (const ip of run.acked) {
          everAcked.add(ip);
          deleted.delete(ip);
        }
        for (const ip of run.deleted) if (!run.acked.includes(ip)) deleted.add(ip);
      }
      const loaded = await expectSafeStart(temp.dir, everAcked, deleted);
      expect(loaded).toMatchObject({ ok: true });
      expect(loaded.ok && loaded.replayed).toBeGreaterThan(0);
      // That start's clean close wrote a new snapshot, and the journal went with the old one.
      expect(existsSync(join(temp.dir, `${FILE}.journal`))).toBe(false);
    } finally {
      await temp.remove();
    }
  });

  it('after a kill, a journal something else opened the store past, or a torn one, is not used: the scan is', { timeout: 120_000 }, async () => {
    const temp = await makeTempDir('dhcpd-snap-kill-');
    try {
      expect((await runWriter(temp.dir, ['0', '1000', 'close'])).closed).toBe(true);
      const crash = async (first: number): Promise<Set<string>> => {
        await loadOnce(temp.dir); // a clean start and stop: a snapshot of the store as it is (the scans opened it since)
        const run = await runWriter(temp.dir, [String(first), '1000', 'close', 'load'], (_line, acked, kill) => {
          if (acked >= 200) kill();
        });
        expect(existsSync(join(temp.dir, `${FILE}.journal`))).toBe(true);
        return new Set(run.acked);
      };
      // An opener that journals nothing (an older version, a tool) writes a lease: the journal no longer accounts for it.
      const acked = await crash(500);
      const other = await openLevelStore(temp.dir);
      await other.write([del(testIp(0))]);
      await other.close();
      expect(await expectSafeStart(temp.dir, acked, new Set([testIp(0)]))).toMatchObject({ ok: false, reason: 'stale' });
      // A journal cut in the middle of its records (a power loss, say) falls short of the last commit; so does one
      // with a damaged record there. (Only its last record may name a batch the kill stopped before it landed.)
      const again = await crash(1500);
      const journal = join(temp.dir, `${FILE}.journal`);
      const bytes = await readFile(journal);
      await writeFile(journal, bytes.subarray(0, Math.floor(bytes.length / 2)));
      expect(await expectSafeStart(temp.dir, again)).toMatchObject({ ok: false, reason: 'stale' });
      const third = await crash(2500);
      const flipped = await readFile(journal);
      flipped[Math.floor(flipped.length / 2)]! ^= 0x10;
      await writeFile(journal, flipped);
      expect(await expectSafeStart(temp.dir, third)).toMatchObject({ ok: false, reason: 'stale' });
    } finally {
      await temp.remove();
    }
  });

  it('killed after commits its last snapshot does not hold: stale, and the scan has every ACKed lease', { timeout: 120_000 }, async () => {
    const temp = await makeTempDir('dhcpd-snap-kill-');
    try {
      const killAfter = 2000 + 50 + Math.floor(Math.random() * 1500);
      const run = await runWriter(temp.dir, ['0', '2000', 'reopen'], (_line, acked, kill) => {
        if (acked >= killAfter) kill();
      });
      expect(run.acked.length).toBeGreaterThanOrEqual(killAfter);
      const loaded = await expectSafeStart(temp.dir, new Set(run.acked));
      expect(loaded).toMatchObject({ ok: false, reason: 'stale' });
    } finally {
      await temp.remove();
    }
  });
});
