// The LeaseStore contract as one shared suite: every implementation runs it (as abstract-level tests backends).
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { StoreError } from '../../../src/errors.js';
import type { LeaseStore } from '../../../src/store/types.js';
import { collect, del, makeRecord, put, settle, clientLease } from './helpers.js';

export interface StoreFixture {
  /** Not yet opened: the suite calls open(). */
  readonly store: LeaseStore;
  /** Releases what the fixture made (temp directories); the suite has closed the store already. */
  readonly dispose: () => Promise<void>;
}

export function describeLeaseStoreConformance(name: string, factory: () => Promise<StoreFixture>): void {
  describe(`LeaseStore conformance: ${name}`, () => {
    let fixture: StoreFixture;
    let store: LeaseStore;

    beforeEach(async () => {
      fixture = await factory();
      store = fixture.store;
      await store.open();
    });
    afterEach(async () => {
      await store.close();
      await fixture.dispose();
    });

    it('starts empty and healthy', async () => {
      expect(await store.get('198.51.100.1')).toBeUndefined();
      expect(await clientLease(store, 1, 'hw:1:02:00:00:00:00:01')).toBeUndefined();
      expect(await collect(store.loadAll())).toEqual([]);
      expect(store.health()).toMatchObject({ writable: true, pendingWrites: 0, commits: 0 });
    });

    it('puts a lease and reads it back by address and by client', async () => {
      const record = makeRecord('198.51.100.7', 'id:01aa', { subnetId: 3, hostname: 'printer' });
      await store.write([put(record)]);
      expect(await store.get('198.51.100.7')).toEqual(record);
      expect(await clientLease(store, 3, 'id:01aa')).toEqual(record);
      expect(await clientLease(store, 4, 'id:01aa')).toBeUndefined();
      expect(await clientLease(store, 3, 'id:01ab')).toBeUndefined();
    });

    it('deletes a lease', async () => {
      await store.write([put(makeRecord('198.51.100.8', 'c1'))]);
      await store.write([del('198.51.100.8')]);
      expect(await store.get('198.51.100.8')).toBeUndefined();
      expect(await clientLease(store, 1, 'c1')).toBeUndefined();
      await expect(store.write([del('198.51.100.9')])).resolves.toBeUndefined(); // deleting nothing is fine
    });

    it('overwriting an address for another client leaves the old client no stored lease', async () => {
      await store.write([put(makeRecord('198.51.100.10', 'old'))]);
      const next = makeRecord('198.51.100.10', 'new', { state: 'offered' });
      await store.write([put(next)]);
      expect(await clientLease(store, 1, 'old')).toBeUndefined();
      expect(await clientLease(store, 1, 'new')).toEqual(next);
      expect(await store.get('198.51.100.10')).toEqual(next);
    });

    it('a client that moved keeps its newer lease when its old address is taken over or deleted', async () => {
      const moved = makeRecord('198.51.100.21', 'roamer');
      await store.write([put(makeRecord('198.51.100.20', 'roamer', { state: 'released' }))]);
      await store.write([put(moved)]);
      await store.write([put(makeRecord('198.51.100.20', 'other'))]);
      expect(await clientLease(store, 1, 'roamer')).toEqual(moved);
      await store.write([del('198.51.100.20')]);
      expect(await clientLease(store, 1, 'roamer')).toEqual(moved);
      expect(await clientLease(store, 1, 'other')).toBeUndefined();
    });

    it('applies the writes of one call in order, as one unit', async () => {
      const final = makeRecord('198.51.100.30', 'b');
      await store.write([put(makeRecord('198.51.100.30', 'a')), del('198.51.100.30'), put(final)]);
      expect(await store.get('198.51.100.30')).toEqual(final);
      expect(await clientLease(store, 1, 'a')).toBeUndefined();
      expect(await clientLease(store, 1, 'b')).toEqual(final);
    });

    it('loads every lease in numeric address order', async () => {
      const ips = ['198.51.100.10', '198.51.100.9', '203.0.113.1', '198.18.0.0', '198.51.101.0', '198.51.100.255'];
      await store.write(ips.map((ip, i) => put(makeRecord(ip, `c${i}`))));
      const loaded = await collect(store.loadAll());
      expect(loaded.map((r) => r.context.ip)).toEqual([
        '198.18.0.0',
        '198.51.100.9',
        '198.51.100.10',
        '198.51.100.255',
        '198.51.101.0',
        '203.0.113.1',
      ]);
    });

    it('groups concurrent writes into fewer commits than callers', async () => {
      const callers = 300;
      const writes = Array.from({ length: callers }, (_, i) =>
        store.write([put(makeRecord(`198.51.${100 + (i >> 8)}.${i & 255}`, `c${i}`))]),
      );
      expect(store.health().pendingWrites).toBe(callers);
      await Promise.all(writes);
      const health = store.health();
      expect(health.commits).toBeGreaterThan(0);
      expect(health.commits).toBeLessThan(callers / 2);
      expect(health.pendingWrites).toBe(0);
      expect(await collect(store.loadAll())).toHaveLength(callers);
    });

    it('lands concurrent writes to one address in request order', async () => {
      const states = ['offered', 'bound', 'renewing', 'rebinding', 'expired'] as const;
      const pending = [];
      for (let round = 0; round < 40; round++) {
        const state = states[round % states.length];
        pending.push(store.write([put(makeRecord('198.51.100.40', `c${round % 3}`, { state }))]));
      }
      await Promise.all(pending);
      const last = makeRecord('198.51.100.40', `c${39 % 3}`, { state: states[39 % states.length] });
      expect(await store.get('198.51.100.40')).toEqual(last);
      expect(await clientLease(store, 1, 'c1')).toBeUndefined();
      expect(await clientLease(store, 1, 'c2')).toBeUndefined();
      expect(await clientLease(store, 1, `c${39 % 3}`)).toEqual(last);
    });

    it('rejects an invalid write without failing the writes it would have shared a batch with', async () => {
      const good = store.write([put(makeRecord('198.51.100.50', 'ok'))]);
      const bad = settle(store.write([del('not-an-address')]));
      await good;
      const outcome = await bad;
      expect(outcome.ok).toBe(false);
      expect(outcome.ok ? undefined : outcome.error).toBeInstanceOf(TypeError);
      expect(store.health().writable).toBe(true);
    });

    it('close waits for every pending write, then rejects writes and reads as closed', async () => {
      const done: boolean[] = [];
      const writes = Array.from({ length: 50 }, (_, i) =>
        store.write([put(makeRecord(`198.51.100.${i}`, `c${i}`))]).then(() => {
          done[i] = true;
        }),
      );
      await store.close();
      expect(done.filter(Boolean)).toHaveLength(50);
      await Promise.all(writes);
      const after = await settle(store.write([put(makeRecord('198.51.100.99', 'late'))]));
      expect(after.ok).toBe(false);
      const error = after.ok ? undefined : after.error;
      expect(error).toBeInstanceOf(StoreError);
      expect((error as StoreError).code).toBe('DHCPD_ERR_STORE_CLOSED');
      await expect(store.get('198.51.100.1')).rejects.toMatchObject({ code: 'DHCPD_ERR_STORE_CLOSED' });
      await expect(clientLease(store, 1, 'c1')).rejects.toMatchObject({ code: 'DHCPD_ERR_STORE_CLOSED' });
      await expect(collect(store.loadAll())).rejects.toMatchObject({ code: 'DHCPD_ERR_STORE_CLOSED' });
      await expect(store.close()).resolves.toBeUndefined(); // closing twice is harmless
    });
  });
}
