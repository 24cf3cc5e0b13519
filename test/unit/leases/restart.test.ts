// After a restart on the same LevelDB store: a bound lease is its client's again, a declined address stays out of
// the pool for its probation, and an offer held before the restart is gone (the client's REQUEST is NAKed and its
// next DISCOVER starts afresh) without that address going to two clients.
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ManualClock } from '../../../src/clock.js';
import { MessageType } from '../../../src/codec/types.js';
import { openLevelStore } from '../../../src/store/open.js';
import { clientMessage } from '../../helpers/test-client.js';
import { makeTempDir } from '../store/helpers.js';
import { startTestDaemon, type TestDaemon } from '../../helpers/test-daemon.js';
import { replyType } from '../../helpers/test-server.js';

const SERVER = '198.51.100.1';
/** The lab's first pool has ten addresses: .100-.109. */
const POOL_SIZE = 10;

async function dora(server: TestDaemon, mac: string): Promise<string> {
  const offer = await server.exchange(clientMessage({ mac }, MessageType.DISCOVER));
  const ack = await server.exchange(clientMessage({ mac }, MessageType.REQUEST, { requested: offer!.message.yiaddr, serverId: SERVER }));
  expect(ack && replyType(ack.message)).toBe(MessageType.ACK);
  return ack!.message.yiaddr;
}

// Both ways a start restores the book: a scan of the store, or the snapshot the clean stop wrote (the same leases).
describe.each([
  { from: 'a scan', snapshot: false },
  { from: 'the snapshot', snapshot: true },
])('restart on the same store, leases from $from', ({ snapshot }) => {
  it('keeps bound and declined leases, and forgets held offers safely', async () => {
    const temp = await makeTempDir('dhcpd-restart-');
    const path = join(temp.dir, 'leases');
    const options = snapshot ? { snapshotPath: join(temp.dir, 'lease-snapshot.bin') } : {};
    const clock = new ManualClock();
    try {
      const first = startTestDaemon({ captureLogs: true, store: await openLevelStore(path, options), clock });
      await first.app.ready;
      const kept = await dora(first, '02:00:5e:10:00:91');
      const declined = await dora(first, '02:00:5e:10:00:92');
      await first.exchange(clientMessage({ mac: '02:00:5e:10:00:92' }, MessageType.DECLINE, { requested: declined, serverId: SERVER }), { waitMs: 30 });
      const held = (await first.exchange(clientMessage({ mac: '02:00:5e:10:00:93' }, MessageType.DISCOVER)))!.message.yiaddr;
      expect(first.app.lease(declined)?.state).toBe('declined');
      expect(await first.app.stop()).toBe(0);

      const second = startTestDaemon({ captureLogs: true, store: await openLevelStore(path, options), clock });
      await second.app.ready;
      expect(second.app.statistics().counters.events?.['store.snapshot.loaded']).toBe(snapshot ? 1 : undefined);
      expect(second.app.lease(kept)?.state).toBe('bound');
      expect(second.app.lease(declined)?.state).toBe('declined');
      expect(second.app.lease(held)).toBeUndefined();
      // INIT-REBOOT: the bound client keeps its address.
      const reboot = await second.exchange(clientMessage({ mac: '02:00:5e:10:00:91' }, MessageType.REQUEST, { requested: kept }));
      expect(reboot && [replyType(reboot.message), reboot.message.yiaddr]).toEqual([MessageType.ACK, kept]);
      // The held offer is gone: its REQUEST is NAKed, the client starts over.
      const late = await second.exchange(clientMessage({ mac: '02:00:5e:10:00:93' }, MessageType.REQUEST, { requested: held, serverId: SERVER }));
      expect(late && replyType(late.message)).toBe(MessageType.NAK);
      // Filling the rest of the pool never hands out the bound or the declined address.
      const others: string[] = [];
      for (let i = 0; i < POOL_SIZE; i++) {
        clock.advance(100);
        const offer = await second.exchange(clientMessage({ mac: `02:00:5e:10:01:${(i + 16).toString(16)}` }, MessageType.DISCOVER), { waitMs: 50 });
        if (offer !== undefined) others.push(offer.message.yiaddr);
      }
      // Once the eight free ones are offered, the last two DISCOVERs are offered held addresses, unreserved.
      expect(others).toHaveLength(POOL_SIZE);
      expect(others).not.toContain(kept);
      expect(others).not.toContain(declined);
      expect(new Set(others).size).toBe(POOL_SIZE - 2);
      await second.app.stop();
    } finally {
      await temp.remove();
    }
  });
});
