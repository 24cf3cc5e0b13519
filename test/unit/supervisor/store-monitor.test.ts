// The store monitor over a group-committing store: the writes of one failed batch count one by one, the outage is
// reported once and before any writer's own handler runs, and the recovery reports how many writes failed.
import { describe, expect, it } from 'vitest';
import { ManualClock } from '../../../src/clock.js';
import { openMemoryStore } from '../../../src/store/open.js';
import type { LevelDatabase } from '../../../src/store/level-store.js';
import { MonitoredStore } from '../../../src/supervisor/store-monitor.js';
import { injectBatchFault, makeRecord, put } from '../store/helpers.js';

describe('MonitoredStore', () => {
  it('counts each write of a failed batch, reports the outage once and first, and its end with the count', async () => {
    const inner = await openMemoryStore();
    let fail = true;
    injectBatchFault((inner as unknown as { db: LevelDatabase }).db, () => (fail ? new Error('EIO') : undefined));
    const events: string[] = [];
    const clock = new ManualClock(1_000);
    const store = new MonitoredStore(inner, clock, {
      onUnwritable: (err) => events.push(`unwritable ${err.code}`),
      onWritable: (downMs, failedWrites) => events.push(`writable after ${downMs} ms, ${failedWrites} failed`),
    });
    // One tick: one batch, one promise for the three.
    const writes = [1, 2, 3].map((i) => store.write([put(makeRecord(`198.51.100.${i}`, `c${i}`))]).catch(() => {
      events.push(`writer ${i} sees writable=${store.health().writable}`);
    }));
    await Promise.all(writes);
    expect(events).toEqual(['unwritable DHCPD_ERR_STORE_WRITE', 'writer 1 sees writable=false', 'writer 2 sees writable=false', 'writer 3 sees writable=false']);
    expect(store.health()).toMatchObject({ writable: false, failedWrites: 3, unwritableSince: 1_000 });
    await expect(store.write([put(makeRecord('198.51.100.4', 'c4'))])).rejects.toThrow();
    expect(store.health().failedWrites).toBe(4);
    fail = false;
    clock.advance(500);
    await store.write([put(makeRecord('198.51.100.5', 'c5'))]);
    expect(events.at(-1)).toBe('writable after 500 ms, 4 failed');
    expect(store.health().writable).toBe(true);
    await inner.close();
  });
});
