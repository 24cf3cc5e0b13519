// The conflict check before an offer (RFC 2131 §4.4.1, the lease-allocation flow's "Check IP Conflict") through the
// whole server in process, with a scripted prober on the manual clock: a fresh OFFER waits for its probe; an address
// that answers is put on stored probation and the next one offered; the client's own addresses are not probed; the
// check is bounded (candidates, probes in flight, cache) and never blocks other clients.
import { afterEach, describe, expect, it } from 'vitest';
import { MessageType } from '../../../../src/codec/types.js';
import { NetError } from '../../../../src/errors.js';
import { clientMessage } from '../../../helpers/test-client.js';
import { LAB_CONFIG, replyType, SERVER_ID } from '../../../helpers/test-server.js';
import { settle } from '../../../helpers/test-daemon.js';
import { startProbeServer, until, type ProbeServer } from './harness.js';

const A = { mac: '02:00:5e:10:01:01' };
const B = { mac: '02:00:5e:10:01:02' };
const RESERVED = { mac: '02:00:5e:10:00:10' };
const SQUATTER_MAC = '02:00:5e:99:00:01';
const FIRST = '198.51.100.100';
const SECOND = '198.51.100.101';
const THIRD = '198.51.100.102';
const PROBATION_MS = 3_600_000;

let server: ProbeServer | undefined;
afterEach(async () => {
  await server?.stop();
  server = undefined;
});

const discover = (client: { mac: string }, requested?: string) =>
  clientMessage(client, MessageType.DISCOVER, requested !== undefined ? { requested } : {});

async function bind(s: ProbeServer, client: { mac: string }): Promise<string> {
  const offer = await s.exchange(discover(client));
  const ip = offer!.message.yiaddr;
  const ack = await s.exchange(clientMessage(client, MessageType.REQUEST, { requested: ip, serverId: SERVER_ID }));
  expect(replyType(ack!.message)).toBe(MessageType.ACK);
  return ip;
}

describe('conflict check before an offer', () => {
  it('a fresh OFFER goes out only after its address stayed silent for timeoutMs', async () => {
    const s = (server = await startProbeServer());
    s.send(discover(A));
    await until(() => s.prober.calls.length === 1);
    expect(s.prober.calls[0]).toEqual({ ip: FIRST, timeoutMs: 500 });
    s.clock.advance(499);
    await settle(5);
    expect(s.link.sent).toHaveLength(0);
    s.clock.advance(1);
    await until(() => s.link.sent.length === 1);
    expect(s.link.sent[0]!.message).toMatchObject({ yiaddr: FIRST });
    expect(replyType(s.link.sent[0]!.message)).toBe(MessageType.OFFER);
  });

  it('an address that answers goes on stored probation, logged with who answered, and the next one is offered', async () => {
    const s = (server = await startProbeServer());
    const transitions: { ip: string; from: string; to: string; message?: string }[] = [];
    s.app.onLeaseTransition((t) => transitions.push(t));
    s.prober.inUse.set(FIRST, SQUATTER_MAC);
    const offer = await s.exchange(discover(A));
    expect(offer!.message.yiaddr).toBe(SECOND);
    // The lease history names the answer as the cause.
    expect(transitions.find((t) => t.ip === FIRST && t.to === 'declined'))
      .toMatchObject({ from: 'offered', message: `ICMP echo reply from ${FIRST} (${SQUATTER_MAC})` });
    expect(s.prober.probed()).toEqual([FIRST, SECOND]);
    const conflict = s.logs.find((l) => l.evt === 'lease.conflict');
    expect(conflict).toMatchObject({ ip: FIRST, answeredBy: FIRST, mac: SQUATTER_MAC, err: { code: 'DHCPD_ERR_LEASE_IN_USE' } });
    expect(s.app.lease(FIRST)?.state).toBe('declined');
    expect(await s.store.get(FIRST)).toMatchObject({ state: 'declined', context: { probationUntil: s.app.lease(FIRST)!.context.probationUntil } });
    expect(s.app.statistics().counters.events).toMatchObject({ 'lease.conflict': 1, 'conflict_check.probed': 2 });
    // The client takes the address it was offered in the end.
    const ack = await s.exchange(clientMessage(A, MessageType.REQUEST, { requested: SECOND, serverId: SERVER_ID }));
    expect(replyType(ack!.message)).toBe(MessageType.ACK);
  });

  it('a conflicted address is offered to no one during probation, not even to a client asking for it; afterwards it is probed again', async () => {
    const s = (server = await startProbeServer());
    s.prober.inUse.set(FIRST, SQUATTER_MAC);
    expect((await s.exchange(discover(A)))!.message.yiaddr).toBe(SECOND);
    const asked = await s.exchange(discover(B, FIRST));
    expect(asked!.message.yiaddr).toBe(THIRD);
    expect(s.prober.probed().filter((ip) => ip === FIRST)).toHaveLength(1);
    // The squatter leaves; once probation is over the address is probed again and offered.
    s.prober.inUse.delete(FIRST);
    s.clock.advance(PROBATION_MS);
    const after = await s.exchange(discover({ mac: '02:00:5e:10:01:03' }, FIRST));
    expect(after!.message.yiaddr).toBe(FIRST);
    expect(s.prober.probed().filter((ip) => ip === FIRST)).toHaveLength(2);
  });

  it("the client's own lease and its reservation are not probed", async () => {
    const s = (server = await startProbeServer({ conflictCheck: { cacheSeconds: 0 } }));
    const ip = await bind(s, A);
    const probes = s.prober.calls.length;
    // A rebooting client asks again: it may itself still answer for its address.
    const again = await s.exchange(discover(A));
    expect(again!.message.yiaddr).toBe(ip);
    await s.exchange(clientMessage(A, MessageType.RELEASE, { ciaddr: ip, serverId: SERVER_ID }), { waitMs: 50 });
    const previous = await s.exchange(discover(A));
    expect(previous!.message.yiaddr).toBe(ip);
    const reserved = await s.exchange(discover(RESERVED));
    expect(reserved!.message.yiaddr).toBe('198.51.100.10');
    expect(s.prober.calls).toHaveLength(probes);
  });

  it('when maxCandidates addresses all answer, the DISCOVER goes unanswered (the client retries) and each is on probation', async () => {
    const s = (server = await startProbeServer({ conflictCheck: { maxCandidates: 2 } }));
    for (const ip of [FIRST, SECOND, THIRD]) s.prober.inUse.set(ip, SQUATTER_MAC);
    expect(await s.exchange(discover(A), { waitMs: 300 })).toBeUndefined();
    expect(s.prober.probed()).toEqual([FIRST, SECOND]);
    expect(s.app.statistics().counters.drops).toMatchObject({ 'address-in-use': 1 });
    expect(s.logs.filter((l) => l.evt === 'lease.conflict').map((l) => l['ip'])).toEqual([FIRST, SECOND]);
    expect(s.logs.find((l) => l.evt === 'conflict_check.gave_up')).toMatchObject({ tried: 2 });
    // The retransmission starts counting afresh: THIRD answers too, then a free address is offered.
    expect((await s.exchange(discover(A)))!.message.yiaddr).toBe('198.51.100.103');
  });

  it("a client's probe does not hold up other clients", async () => {
    const s = (server = await startProbeServer());
    const ip = await bind(s, B);
    s.send(discover(A));
    await until(() => s.prober.inFlight === 1);
    // A waits for its probe (the clock stands still); B renews and is answered meanwhile.
    const renew = await s.exchange(clientMessage(B, MessageType.REQUEST, { ciaddr: ip }), { stepMs: 0 });
    expect(replyType(renew!.message)).toBe(MessageType.ACK);
    // A third client's probe runs alongside A's.
    s.send(discover({ mac: '02:00:5e:10:01:03' }));
    await until(() => s.prober.inFlight === 2);
    s.clock.advance(500);
    await until(() => s.link.sent.filter((m) => replyType(m.message) === MessageType.OFFER).length === 3);
  });

  it('an unreserved offer never wins an address whose new offer is in its probe: that REQUEST is NAKed', async () => {
    const s = (server = await startProbeServer({ conflictCheck: { cacheSeconds: 0 }, wire: { offerHoldSeconds: 1, subnets: [{ ...LAB_CONFIG.subnets[0]!, pools: [{ start: FIRST, end: FIRST }] }] } }));
    const C = { mac: '02:00:5e:10:01:03' };
    expect((await s.exchange(discover(A)))!.message.yiaddr).toBe(FIRST);
    s.clock.advance(50);
    expect((await s.exchange(discover(B)))!.message.yiaddr).toBe(FIRST); // unreserved: A's offer was sent
    s.clock.advance(950); // A's offer lapses (B's unreserved one runs 50 ms more); C's offer goes into its probe
    s.prober.manual = true;
    s.send(discover(C, FIRST));
    await until(() => s.prober.waiting.length === 1);
    const nak = await s.exchange(clientMessage(B, MessageType.REQUEST, { requested: FIRST, serverId: SERVER_ID }), { stepMs: 0 });
    expect(replyType(nak!.message)).toBe(MessageType.NAK);
    expect(s.app.lease(FIRST)).toMatchObject({ state: 'offered', context: { clientKey: `hw:1:${C.mac}` } });
    s.prober.waiting[0]!.resolve({ kind: 'silent' });
    await until(() => s.link.sent.filter((m) => replyType(m.message) === MessageType.OFFER).length === 3);
  });

  it('an address that stayed silent is trusted for cacheSeconds, then probed again', async () => {
    const s = (server = await startProbeServer({ conflictCheck: { cacheSeconds: 5 }, wire: { offerHoldSeconds: 1 } }));
    expect((await s.exchange(discover(A)))!.message.yiaddr).toBe(FIRST);
    s.clock.advance(1_000); // A never takes it: the offer lapses
    expect((await s.exchange(discover(B, FIRST), { stepMs: 0 }))!.message.yiaddr).toBe(FIRST);
    expect(s.prober.calls).toHaveLength(1);
    expect(s.app.statistics().counters.events).toMatchObject({ 'conflict_check.cached': 1 });
    s.clock.advance(5_000);
    expect((await s.exchange(discover({ mac: '02:00:5e:10:01:03' }, FIRST)))!.message.yiaddr).toBe(FIRST);
    expect(s.prober.probed()).toEqual([FIRST, FIRST]);
  });

  it('beyond maxConcurrent probes in flight an address is offered unprobed, counted and logged once', async () => {
    const s = (server = await startProbeServer({ conflictCheck: { maxConcurrent: 1 } }));
    s.send(discover(A));
    await until(() => s.prober.inFlight === 1);
    const b = await s.exchange(discover(B), { stepMs: 0 });
    expect(b!.message.yiaddr).toBe(SECOND);
    await s.exchange(discover({ mac: '02:00:5e:10:01:03' }), { stepMs: 0 });
    expect(s.prober.calls).toHaveLength(1);
    expect(s.app.statistics().counters.events).toMatchObject({ 'conflict_check.busy': 2 });
    expect(s.logs.filter((l) => l.evt === 'conflict_check.skipped')).toMatchObject([{ reason: 'busy', count: 1 }]);
    s.clock.advance(500); // A's probe ends, so the shutdown has no exchange to wait for
  });

  it('without an ICMP socket: one "conflict check unavailable" line, and offers go out unprobed', async () => {
    let opened = 0;
    const s = (server = await startProbeServer({
      openProber: () => {
        opened++;
        throw new NetError('DHCPD_ERR_NET_ICMP_UNAVAILABLE', 'opening the ICMP socket failed: EPERM');
      },
    }));
    expect((await s.exchange(discover(A), { stepMs: 0 }))!.message.yiaddr).toBe(FIRST);
    expect((await s.exchange(discover(B), { stepMs: 0 }))!.message.yiaddr).toBe(SECOND);
    expect(opened).toBe(1);
    const lines = s.logs.filter((l) => l.evt === 'conflict_check.unavailable');
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatchObject({ level: 40, err: { code: 'DHCPD_ERR_NET_ICMP_UNAVAILABLE' } });
    expect(s.app.statistics().counters.events).toMatchObject({ 'conflict_check.unavailable': 2 });
  });

  it('a failed send offers the address unprobed; disabled, nothing is probed or opened', async () => {
    const failing = await startProbeServer({
      openProber: () => ({
        probe: async () => ({ kind: 'error', error: new NetError('DHCPD_ERR_NET_SEND', 'ICMP echo failed: ENETUNREACH') }),
        close: () => {},
      }),
    });
    expect((await failing.exchange(discover(A), { stepMs: 0 }))!.message.yiaddr).toBe(FIRST);
    expect(failing.logs.find((l) => l.evt === 'conflict_check.skipped')).toMatchObject({ reason: 'send-failed', err: { code: 'DHCPD_ERR_NET_SEND' } });
    await failing.stop();

    let opened = 0;
    const s = (server = await startProbeServer({ conflictCheck: { enabled: false }, openProber: () => { opened++; throw new Error('unused'); } }));
    expect((await s.exchange(discover(A), { stepMs: 0 }))!.message.yiaddr).toBe(FIRST);
    expect(opened).toBe(0);
  });

  it('closes the prober when the daemon stops', async () => {
    const s = await startProbeServer();
    await s.exchange(discover(A));
    await s.stop();
    expect(s.prober.closed).toBe(true);
  });
});
