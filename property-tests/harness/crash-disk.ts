// A "disk" for crash tests: what survives a crash is exactly what the store acknowledged (write() resolved).
//
// Why not copy the LevelDB directory, or reopen the same memory-level? Both would keep writes that were applied
// but never acknowledged (LevelDB's log and the OS page cache survive a process crash), so a store that ACKs
// before syncing would look durable. The LeaseStore contract is "resolved => survives", so the disk keeps the
// log of acknowledged writes, and each incarnation of the server opens a fresh database of the real kind
// (memory-level, or classic-level in its own temp directory) holding that log's end state. A crash marks the
// dying incarnation's handle dead: its later acknowledgements reach no one and are not logged.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openLevelStore, openMemoryStore } from '../../src/store/open.js';
import type { LevelLeaseStore } from '../../src/store/level-store.js';
import type { LeaseRecord, LeaseStore, LeaseWrite, StoreHealth } from '../../src/store/types.js';

export type DiskKind = 'memory' | 'level';

export class CrashDisk {
  /** End state of the acknowledged writes, by address (a delete removes the entry). */
  private readonly durable = new Map<string, LeaseRecord>();
  private readonly opened: LevelLeaseStore[] = [];
  private dir: string | undefined;
  private incarnations = 0;

  constructor(readonly kind: DiskKind) {}

  /** A store for the next incarnation of the server; the previous handle must have been crashed or closed. */
  handle(): StoreHandle {
    return new StoreHandle(this, this.incarnations++);
  }

  acknowledged(writes: readonly LeaseWrite[]): void {
    for (const w of writes) {
      if (w.kind === 'put') this.durable.set(w.record.context.ip, w.record);
      else this.durable.delete(w.ip);
    }
  }

  durableRecord(ip: string): LeaseRecord | undefined {
    return this.durable.get(ip);
  }

  /** Opens a fresh database of this disk's kind holding the acknowledged end state. */
  async openInner(incarnation: number): Promise<LevelLeaseStore> {
    let store: LevelLeaseStore;
    if (this.kind === 'memory') {
      store = await openMemoryStore();
    } else {
      this.dir ??= await mkdtemp(join(tmpdir(), 'dhcpd-prop-'));
      store = await openLevelStore(join(this.dir, `inc-${incarnation}`));
    }
    this.opened.push(store);
    const writes: LeaseWrite[] = [...this.durable.values()].map((record) => ({ kind: 'put', record }));
    if (writes.length > 0) await store.write(writes);
    return store;
  }

  /** Closes every database (dead incarnations' too) and removes the temp directory. */
  async dispose(): Promise<void> {
    await Promise.all(this.opened.map((s) => s.close().catch(() => undefined)));
    this.opened.length = 0;
    if (this.dir !== undefined) await rm(this.dir, { recursive: true, force: true });
    this.dir = undefined;
  }
}

/** One incarnation's LeaseStore over the disk. */
export class StoreHandle implements LeaseStore {
  private inner: LevelLeaseStore | undefined;
  private dead = false;

  constructor(private readonly disk: CrashDisk, private readonly incarnation: number) {}

  async open(): Promise<void> {
    this.inner ??= await this.disk.openInner(this.incarnation);
  }

  async write(writes: readonly LeaseWrite[]): Promise<void> {
    if (this.dead) return new Promise<void>(() => {});
    await this.store().write(writes);
    // A dead process never learns that its write completed: it was not acknowledged to anyone.
    if (this.dead) return new Promise<void>(() => {});
    this.disk.acknowledged(writes);
  }

  get(ip: string): Promise<LeaseRecord | undefined> {
    return this.store().get(ip);
  }

  loadAll(): AsyncIterable<LeaseRecord> {
    return this.store().loadAll();
  }

  health(): StoreHealth {
    return this.inner?.health() ?? { writable: false, pendingWrites: 0, commits: 0 };
  }

  async close(): Promise<void> {
    await this.inner?.close();
  }

  /** The process died: nothing it does from now on reaches the disk. */
  crash(): void {
    this.dead = true;
  }

  private store(): LevelLeaseStore {
    if (this.inner === undefined) throw new TypeError('store handle used before open()');
    return this.inner;
  }
}
