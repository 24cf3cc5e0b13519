// A NAK is per-packet trouble: logged aggregated (one dhcp.nak line per reason per interval, with the count),
// never a line per packet at info.
import { afterEach, describe, expect, it } from 'vitest';
import { MessageType } from '../../../src/codec/types.js';
import { openMemoryStore } from '../../../src/store/open.js';
import { clientMessage } from '../../helpers/test-client.js';
import { startTestDaemon, type TestDaemon } from '../../helpers/test-daemon.js';

describe('dhcp.nak', () => {
  let daemon: TestDaemon | undefined;
  afterEach(async () => daemon?.stop());

  it('ten NAKs of one reason within the interval give one info line at once and one line with the rest later', async () => {
    daemon = startTestDaemon({ store: await openMemoryStore(), captureLogs: true });
    await daemon.app.ready;
    for (let i = 0; i < 10; i++) {
      // INIT-REBOOT for an address on another network (RFC 2131 §4.3.2): NAK wrong-network.
      const reply = await daemon.exchange(clientMessage({ mac: `02:00:5e:10:01:${String(10 + i)}` }, MessageType.REQUEST, { requested: '203.0.113.150' }));
      expect(reply).toBeDefined();
    }
    const naks = () => daemon!.logs.filter((l) => l.evt === 'dhcp.nak');
    expect(naks()).toHaveLength(1);
    expect(naks()[0]).toMatchObject({ reason: 'wrong-network', count: 1, ip: '203.0.113.150' });
    daemon.clock.advance(60_000);
    expect(naks()).toHaveLength(2);
    expect(naks()[1]).toMatchObject({ reason: 'wrong-network', count: 9 });
  });
});
