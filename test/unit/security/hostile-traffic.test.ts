// The hostile-traffic generator's rule "nothing answered that must not be", checked without a network: its ledger
// tells a forbidden packet's answer from the answer to another packet that happens to share its xid (seed 7 has 111
// such twins among 10^6 packets: the full run's 7 "answered forbidden" packets were answers to them), and the whole in-process server fed the generator's own
// packets answers none of those it must not.
import { describe, expect, it } from 'vitest';
import { forbiddenLedger, packetSource, type HostilePacket } from '../../../bench/hostile/packets.mjs';
import { openMemoryStore } from '../../../src/store/open.js';
import { startTestDaemon } from '../../helpers/test-daemon.js';
import { LAB_CONFIG } from '../../helpers/test-server.js';

const IFACE = { name: 'lab0', index: 2, mac: '02:00:5e:00:00:01', addresses: [{ address: '198.51.100.1', prefixLength: 24 }] };

describe('hostile traffic: what must not be answered', () => {
  it('an answer counts against a forbidden packet only when xid and chaddr both match', () => {
    const { valid } = packetSource(1);
    const chaddr = (last: number) => Buffer.from([2, 0, 0x5e, 0, 0, last]);
    const forbidden: HostilePacket = { kind: 'server-only-type', data: valid(2, { xid: 42, chaddr: chaddr(1) }), silent: true };
    const twin: HostilePacket = { kind: 'random-content', data: valid(1, { xid: 42, chaddr: chaddr(2) }), silent: false };
    const ledger = forbiddenLedger();
    ledger.sent(forbidden);
    ledger.sent(twin);
    const replyTo = (request: Buffer) => Buffer.concat([Buffer.from([2]), request.subarray(1)]);
    expect(ledger.answered(replyTo(twin.data))).toBeUndefined();
    expect(ledger.answered(replyTo(forbidden.data))).toBe('server-only-type');
    expect(ledger.summary()).toMatchObject({ forbiddenSent: 1, forbiddenAnswered: 1, forbiddenAnsweredByKind: { 'server-only-type': 1 }, answeredSharingXid: 1 });
  });

  it('the server answers none of 20,000 hostile packets it must not answer, and does answer others', async () => {
    const daemon = startTestDaemon({ store: await openMemoryStore(), wire: { ...LAB_CONFIG, conflictCheck: { enabled: false } }, relayedOnLab0: true });
    await daemon.app.ready;
    const ledger = forbiddenLedger();
    const answered: string[] = [];
    daemon.link.sent$.subscribe((s) => {
      const kind = ledger.answered(Buffer.from(s.out.data));
      if (kind !== undefined) answered.push(kind);
    });
    const source = packetSource(7);
    for (let i = 0; i < 20_000; i++) {
      const p = source.hostile();
      ledger.sent(p);
      daemon.link.inbound$.next({ data: p.data, from: { address: '198.51.100.250', port: 68 }, iface: IFACE, broadcast: true, localAddress: '255.255.255.255', receivedAt: daemon.clock.now() });
      if (i % 256 === 0) await new Promise((r) => setImmediate(r));
    }
    await new Promise((r) => setTimeout(r, 200));
    await daemon.app.stop();
    expect(answered).toEqual([]);
    expect(ledger.summary().forbiddenSent).toBeGreaterThan(9_000);
    expect(daemon.link.sent.length).toBeGreaterThan(1_000);
  }, 60_000);
});
