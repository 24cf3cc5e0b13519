// A reservation by MAC belongs to the host, whatever client identifier it uses: a host that got its reserved
// address with option 61 and comes back without it (PXE firmware, an installer, another client program) gets the
// same address, and its stale binding is superseded in the same atomic store write. A different client holding
// the reserved address keeps today's behaviour (reservation.conflict, a pool address).
import { afterEach, describe, expect, it, vi } from 'vitest';
import { MessageType } from '../../../src/codec/types.js';
import { openMemoryStore } from '../../../src/store/open.js';
import type { LeaseStore, LeaseWrite } from '../../../src/store/types.js';
import { clientMessage } from '../../helpers/test-client.js';
import { replyType, SERVER_ID } from '../../helpers/test-server.js';
import { FaultyStore } from '../../helpers/faults.js';
import { startTestDaemon, type TestDaemon } from '../../helpers/test-daemon.js';
import { clientLease } from '../store/helpers.js';

const MAC = '02:00:5e:10:00:10';
const RESERVED = '198.51.100.10';
const WITH_ID = { mac: MAC, clientId: Buffer.from(`01${MAC.replaceAll(':', '')}`, 'hex') };
const WITHOUT_ID = { mac: MAC };
const OLD_KEY = `id:01${MAC.replaceAll(':', '')}`;
const NEW_KEY = `hw:1:${MAC}`;

/** Records every batch the server writes, to check the takeover is one atomic write. */
class RecordingStore extends FaultyStore {
  readonly batches: (readonly LeaseWrite[])[] = [];
  override async write(writes: readonly LeaseWrite[]): Promise<void> {
    this.batches.push(writes);
    return super.write(writes);
  }
}

async function bind(s: TestDaemon, client: typeof WITH_ID | typeof WITHOUT_ID, type: 'selecting' | 'init-reboot' = 'selecting') {
  if (type === 'selecting') {
    const offer = await s.exchange(clientMessage(client, MessageType.DISCOVER));
    expect(offer?.message.yiaddr).toBe(RESERVED);
  }
  const spec = type === 'selecting' ? { requested: RESERVED, serverId: SERVER_ID } : { requested: RESERVED };
  const ack = await s.exchange(clientMessage(client, MessageType.REQUEST, spec));
  expect(ack !== undefined && replyType(ack.message)).toBe(MessageType.ACK);
  expect(ack!.message.yiaddr).toBe(RESERVED);
}

const evts = (s: TestDaemon, evt: string) => s.logs.filter((l) => l.evt === evt);

describe('a reservation by MAC under another client identifier', () => {
  const servers: TestDaemon[] = [];
  afterEach(async () => {
    for (const s of servers.splice(0)) await s.app.stop();
  });

  async function start(store?: LeaseStore): Promise<TestDaemon> {
    const s = startTestDaemon({ captureLogs: true, store: store ?? await openMemoryStore() });
    servers.push(s);
    await s.app.ready;
    return s;
  }

  it('gives the host its reserved address without option 61, superseding the binding made with it in one write', async () => {
    const store = new RecordingStore(await openMemoryStore());
    const s = await start(store);
    await bind(s, WITH_ID);
    store.batches.length = 0;
    await bind(s, WITHOUT_ID);
    expect(evts(s, 'reservation.conflict')).toEqual([]);
    expect(s.app.lease(RESERVED)?.context.clientKey).toBe(NEW_KEY);
    expect(s.app.lease(RESERVED)?.state).toBe('bound');
    // One batch: the new binding replaces the old one at that address, and the old key's index entry goes.
    expect(store.batches).toHaveLength(1);
    expect(await clientLease(store, 1, OLD_KEY)).toBeUndefined();
    expect((await clientLease(store, 1, NEW_KEY))?.context.ip).toBe(RESERVED);
    expect(evts(s, 'lease.released').map((l) => [l.reason, l.client, l.ip])).toEqual([['same-host', OLD_KEY, RESERVED]]);
    // …and back: the host with option 61 again takes it back the same way.
    await bind(s, WITH_ID);
    expect(s.app.lease(RESERVED)?.context.clientKey).toBe(OLD_KEY);
  });

  it('an INIT-REBOOT of the reserved address under the other identifier is ACKed too', async () => {
    const s = await start();
    await bind(s, WITH_ID);
    await bind(s, WITHOUT_ID, 'init-reboot');
    expect(s.app.lease(RESERVED)?.context.clientKey).toBe(NEW_KEY);
  });

  it('if the write fails, nothing changes: the old binding stays, no ACK', async () => {
    const store = new RecordingStore(await openMemoryStore());
    const s = await start(store);
    await bind(s, WITH_ID);
    await s.exchange(clientMessage(WITHOUT_ID, MessageType.DISCOVER));
    store.failing = true;
    // The write is retried on the manual clock: move it until the server gives up.
    const reply = await s.exchange(clientMessage(WITHOUT_ID, MessageType.REQUEST, { requested: RESERVED, serverId: SERVER_ID }), { waitMs: 1_000, stepMs: 50 });
    expect(reply).toBeUndefined();
    await vi.waitFor(() => expect(s.evts()).toContain('store.write.gave_up'));
    expect(s.app.lease(RESERVED)?.context.clientKey).toBe(OLD_KEY);
    expect(s.app.lease(RESERVED)?.state).toBe('bound');
  });
  it('a reserved address the host declined stays on probation under its other identifier too', async () => {
    const s = await start();
    await bind(s, WITH_ID);
    await s.exchange(clientMessage(WITH_ID, MessageType.DECLINE, { requested: RESERVED, serverId: SERVER_ID }), { waitMs: 50 });
    expect(s.app.lease(RESERVED)?.state).toBe('declined');
    const offer = await s.exchange(clientMessage(WITHOUT_ID, MessageType.DISCOVER));
    expect(offer?.message.yiaddr).toMatch(/^198\.51\.100\.10\d$/);
    expect(s.app.lease(RESERVED)?.context.clientKey).toBe(OLD_KEY);
  });

  // A different client (another MAC) holding the reserved address: test/unit/server/lease-errors.test.ts.
});
