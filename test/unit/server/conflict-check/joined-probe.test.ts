// A DISCOVER for a full pool whose every offer is in its conflict-check probe joins one of those probes (issue 10:
// the single-shot liveness probe at t = 0 of a flood got nothing): one ICMP probe for all of them; its clean end
// sends the holder's OFFER, then theirs of the same address, unreserved; a conflict sends them none of it; bounded.
import { afterEach, describe, expect, it } from 'vitest';
import { MessageType } from '../../../../src/codec/types.js';
import { JOIN_GRACE_MS, JOINS_PER_PROBE } from '../../../../src/server/probing-offers.js';
import { clientMessage } from '../../../helpers/test-client.js';
import { LAB_CONFIG, replyType, SERVER_ID } from '../../../helpers/test-server.js';
import { settle } from '../../../helpers/test-daemon.js';
import { startProbeServer, until, type ProbeServer } from './harness.js';

const A = { mac: '02:00:5e:10:01:01' };
const B = { mac: '02:00:5e:10:01:02' };
const C = { mac: '02:00:5e:10:01:03' };
const FIRST = '198.51.100.100';
const SECOND = '198.51.100.101';
const SQUATTER = { kind: 'reply', from: FIRST, mac: '02:00:5e:99:00:01' } as const;

let server: ProbeServer | undefined;
afterEach(async () => {
  await server?.stop();
  server = undefined;
});

const discover = (client: { mac: string }) => clientMessage(client, MessageType.DISCOVER);
const pool = (end: string) => ({ wire: { subnets: [{ ...LAB_CONFIG.subnets[0]!, pools: [{ start: FIRST, end }] }] } });
const events = (s: ProbeServer) => s.app.statistics().counters.events ?? {};
const drops = (s: ProbeServer) => s.app.statistics().counters.drops ?? {};
/** The OFFERs sent so far, in order: to whom (chaddr) and which address. */
const offers = (s: ProbeServer) => s.link.sent.filter((m) => replyType(m.message) === MessageType.OFFER)
  .map((m) => `${m.message.chaddr.subarray(0, 6).toString('hex').replace(/(..)(?!$)/g, '$1:')} ${m.message.yiaddr}`);

/** A's offer of the pool's one address in its probe (the prober waits to be told), and B's DISCOVER joined to it. */
async function bJoinsAsProbe(): Promise<ProbeServer> {
  const s = (server = await startProbeServer(pool(FIRST)));
  s.prober.manual = true;
  s.send(discover(A));
  await until(() => s.prober.waiting.length === 1);
  s.send(discover(B));
  await until(() => events(s)['offer.joined_probe'] === 1);
  return s;
}

describe('a DISCOVER that finds every offer in its probe joins one', () => {
  it('one probe for both: its clean end sends the holder\'s OFFER, then the joiner\'s of the same address, unreserved; the first REQUEST wins', async () => {
    const s = await bJoinsAsProbe();
    expect(s.link.sent).toHaveLength(0); // not before the probe ends
    s.prober.waiting[0]!.resolve({ kind: 'silent' });
    await until(() => s.link.sent.length === 2);
    expect(offers(s)).toEqual([`${A.mac} ${FIRST}`, `${B.mac} ${FIRST}`]);
    expect(s.prober.calls).toHaveLength(1);
    expect(drops(s)['offers-shielded']).toBeUndefined();
    expect(events(s)).toMatchObject({ 'offer.joined_probe': 1, 'offer.unreserved': 1 });
    expect(s.app.lease(FIRST)).toMatchObject({ state: 'offered', context: { clientKey: `hw:1:${A.mac}` } });
    // Logged aggregated, not per DISCOVER.
    expect(s.logs.filter((l) => l.evt === 'offer.joined_probe')).toHaveLength(1);
    s.prober.manual = false;
    const ack = await s.exchange(clientMessage(B, MessageType.REQUEST, { requested: FIRST, serverId: SERVER_ID }), { stepMs: 0 });
    expect(replyType(ack!.message)).toBe(MessageType.ACK);
    const nak = await s.exchange(clientMessage(A, MessageType.REQUEST, { requested: FIRST, serverId: SERVER_ID }), { stepMs: 0 });
    expect(replyType(nak!.message)).toBe(MessageType.NAK);
  });

  it('a conflict found by the joined probe is offered to no joiner: it chooses again, and joins the next probe', async () => {
    const s = (server = await startProbeServer(pool(SECOND)));
    s.prober.manual = true;
    s.send(discover(A));
    await until(() => s.prober.waiting.length === 1);
    s.send(discover(B));
    await until(() => s.prober.waiting.length === 2);
    s.send(discover(C)); // joins FIRST's probe: the oldest of those with the fewest joiners
    await until(() => events(s)['offer.joined_probe'] === 1);
    s.prober.waiting.find((w) => w.ip === FIRST)!.resolve(SQUATTER);
    // A and C both choose again: FIRST is on probation, SECOND in B's probe, so both join it.
    await until(() => events(s)['offer.joined_probe'] === 3);
    expect(s.app.lease(FIRST)).toMatchObject({ state: 'declined' });
    expect(events(s)['offer.joined_probe.lost']).toBe(1);
    expect(s.link.sent).toHaveLength(0);
    s.prober.waiting.find((w) => w.ip === SECOND)!.resolve({ kind: 'silent' });
    await until(() => s.link.sent.length === 3);
    expect(offers(s)[0]).toBe(`${B.mac} ${SECOND}`);
    expect(offers(s).slice(1).sort()).toEqual([`${A.mac} ${SECOND}`, `${C.mac} ${SECOND}`]);
    expect(s.prober.calls.map((c) => c.ip)).toEqual([FIRST, SECOND]);
  });

  it('a conflict with nothing else to choose: the joiner goes unanswered, never offered the address in use', async () => {
    const s = await bJoinsAsProbe();
    s.prober.waiting[0]!.resolve(SQUATTER);
    await until(() => (drops(s)['pool-exhausted'] ?? 0) + (drops(s)['address-in-use'] ?? 0) === 2);
    expect(s.link.sent).toHaveLength(0);
    expect(s.app.lease(FIRST)).toMatchObject({ state: 'declined' });
  });

  it('a probe cut short (its exchange stopped) wakes its joiners after its timeout and a grace: the offer no longer shields', async () => {
    const s = await bJoinsAsProbe();
    s.clock.advance(500 + JOIN_GRACE_MS - 1);
    await settle(5);
    expect(s.link.sent).toHaveLength(0);
    s.clock.advance(1);
    await until(() => s.link.sent.length === 1);
    expect(offers(s)).toEqual([`${B.mac} ${FIRST}`]);
    s.prober.waiting[0]!.resolve({ kind: 'silent' }); // lets the stop drain A's exchange at once
  });

  it(`bounded: at most ${JOINS_PER_PROBE} DISCOVERs join one probe; the next is dropped (offers-shielded) and logged aggregated`, async () => {
    const s = (server = await startProbeServer(pool(FIRST)));
    s.prober.manual = true;
    s.send(discover(A));
    await until(() => s.prober.waiting.length === 1);
    const mac = (i: number) => `02:00:5e:30:00:${i.toString(16).padStart(2, '0')}`;
    for (let i = 0; i <= JOINS_PER_PROBE; i++) s.send(discover({ mac: mac(i) }));
    await until(() => drops(s)['offers-shielded'] === 1);
    expect(events(s)['offer.joined_probe']).toBe(JOINS_PER_PROBE);
    expect(s.logs.filter((l) => l.evt === 'offer.shielded')).toHaveLength(1);
    s.prober.waiting[0]!.resolve({ kind: 'silent' });
    await until(() => s.link.sent.length === JOINS_PER_PROBE + 1);
    expect(new Set(s.link.sent.map((m) => m.message.yiaddr))).toEqual(new Set([FIRST]));
    expect(s.prober.calls).toHaveLength(1);
  });
});
