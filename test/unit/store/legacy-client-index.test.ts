// A data directory written by the version that kept a by-client index beside each lease (fixtures/client-index-store,
// made by that version's openLevelStore: three leases, one with history, and their "client" sublevel entries) opens:
// the index is deleted once at the first open (logged), the leases and history read back unchanged, and writes go on.
import { cp } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { Level } from 'level';
import { describe, expect, it } from 'vitest';
import { openLevelStore } from '../../../src/store/open.js';
import { collect, makeRecord, makeTempDir, put } from './helpers.js';

const FIXTURE = fileURLToPath(new URL('./fixtures/client-index-store', import.meta.url));
/** The fixture's clock: its history is then within the retention. */
const now = () => 1_700_000_000_000;

async function keysOf(dir: string, prefix: string): Promise<string[]> {
  const db = new Level<string, string>(dir);
  try {
    return (await db.keys().all()).filter((key) => key.startsWith(prefix));
  } finally {
    await db.close();
  }
}

function recordingLogger(): { readonly events: string[]; info(obj: object): void; warn(): void; error(): void } {
  const events: string[] = [];
  return { events, info: (obj) => events.push(String((obj as { evt?: unknown }).evt)), warn: () => undefined, error: () => undefined };
}

describe('a store written with the by-client index', () => {
  it('drops the index at the first open and keeps every lease and its history', async () => {
    const temp = await makeTempDir();
    try {
      await cp(FIXTURE, temp.dir, { recursive: true });
      expect(await keysOf(temp.dir, '!client!')).toHaveLength(3);

      const logger = recordingLogger();
      const store = await openLevelStore(temp.dir, { logger, now });
      expect(logger.events).toContain('store.client_index.dropped');
      const loaded = await collect(store.loadAll());
      expect(loaded.map((r) => [r.context.ip, r.context.subnetId, r.context.clientKey, r.state])).toEqual([
        ['198.51.100.20', 1, 'hw:1:c20', 'bound'],
        ['198.51.100.21', 1, 'hw:1:c21', 'released'],
        ['198.51.100.22', 2, 'id:01ee', 'bound'],
      ]);
      expect(loaded[0]!.context.hostname).toBe('twenty');
      expect((await store.history('198.51.100.20')).map((t) => t.xid)).toEqual([1]);
      const taken = makeRecord('198.51.100.21', 'hw:1:other');
      await store.write([put(taken)]);
      await store.close();

      expect(await keysOf(temp.dir, '!client!')).toEqual([]);
      const again = recordingLogger();
      const reopened = await openLevelStore(temp.dir, { logger: again, now });
      try {
        expect(again.events).not.toContain('store.client_index.dropped');
        expect(await reopened.get('198.51.100.21')).toEqual(taken);
        expect((await collect(reopened.loadAll())).map((r) => r.context.ip)).toEqual(['198.51.100.20', '198.51.100.21', '198.51.100.22']);
      } finally {
        await reopened.close();
      }
    } finally {
      await temp.remove();
    }
  });
});
