// The store re-opens its database before the next write after a failed one, and spaces failed re-opens by backoff.
import { MemoryLevel } from 'memory-level';
import { describe, expect, it } from 'vitest';
import { LevelLeaseStore } from '../../../src/store/level-store.js';
import { ReopenGate } from '../../../src/store/reopen.js';
import { clientLease, injectBatchFault, makeRecord, put } from '../store/helpers.js';

describe('ReopenGate', () => {
  it('does nothing until a write failed, then re-opens once', async () => {
    let reopens = 0;
    const gate = new ReopenGate(async () => void reopens++, { backoff: { initialMs: 100, maxMs: 1_000, factor: 2, jitter: 0 }, now: () => 0 });
    await gate.ensureOpen();
    expect(reopens).toBe(0);
    gate.markFailed();
    await gate.ensureOpen();
    await gate.ensureOpen();
    expect([reopens, gate.pending]).toEqual([1, false]);
  });

  it('spaces failed re-opens by the backoff, failing fast with DHCPD_ERR_STORE_UNAVAILABLE meanwhile', async () => {
    let now = 0;
    let failures = 2;
    let reopens = 0;
    const events: string[] = [];
    const logger = { info: (o: object) => events.push(String((o as { evt: string }).evt)), warn: (o: object) => events.push(String((o as { evt: string }).evt)) };
    const gate = new ReopenGate(async () => {
      reopens++;
      if (failures-- > 0) throw new Error('IO error: No space left on device');
    }, { backoff: { initialMs: 100, maxMs: 1_000, factor: 2, jitter: 0 }, now: () => now, logger });
    gate.markFailed();
    await expect(gate.ensureOpen()).rejects.toMatchObject({ code: 'DHCPD_ERR_STORE_UNAVAILABLE', transient: true });
    now = 50;
    await expect(gate.ensureOpen()).rejects.toMatchObject({ code: 'DHCPD_ERR_STORE_UNAVAILABLE' });
    expect(reopens).toBe(1); // deferred, not attempted
    now = 100;
    await expect(gate.ensureOpen()).rejects.toBeDefined();
    now = 299;
    await expect(gate.ensureOpen()).rejects.toBeDefined();
    expect(reopens).toBe(2);
    now = 300;
    await gate.ensureOpen();
    expect(reopens).toBe(3);
    expect(events).toEqual(['store.reopen.failed', 'store.reopen.failed', 'store.reopened']);
  });
});

describe('LevelLeaseStore after a failed write', () => {
  it('closes and re-opens the database before writing again, and keeps every committed lease', async () => {
    const db = new MemoryLevel<string, string>();
    let failNext = false;
    injectBatchFault(db, () => (failNext ? ((failNext = false), new Error('IO error: No space left on device')) : undefined));
    const store = new LevelLeaseStore(db);
    await store.open();
    await store.write([put(makeRecord('198.51.100.1', 'a'))]);
    let closes = 0;
    db.on('closing', () => closes++);
    failNext = true;
    await expect(store.write([put(makeRecord('198.51.100.2', 'b'))])).rejects.toMatchObject({ code: 'DHCPD_ERR_STORE_WRITE' });
    expect(closes).toBe(0);
    await store.write([put(makeRecord('198.51.100.3', 'c'))]);
    expect(closes).toBe(1);
    expect(db.status).toBe('open');
    expect((await clientLease(store, 1, 'a'))?.context.ip).toBe('198.51.100.1');
    expect(await clientLease(store, 1, 'b')).toBeUndefined();
    expect((await clientLease(store, 1, 'c'))?.context.ip).toBe('198.51.100.3');
    await store.write([put(makeRecord('198.51.100.4', 'd'))]);
    expect(closes).toBe(1);
    await store.close();
  });
});
