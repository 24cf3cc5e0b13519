// Relayed DORA (RFC 2131 §4.1, giaddr): clients behind ISC dhcrelay get addresses from the relay's subnet.
import { describe, expect, it } from 'vitest';
import { DhclientSession, udhcpc, type LeaseResult } from './harness/clients.js';
import { RELAY_POOL } from './harness/daemon.js';
import { RELAY_GIADDR } from './harness/netns.js';
import { SERVER_KIND, inRange, integrationSkip, useLab } from './harness/suite.js';

const skip = integrationSkip('relay');

describe.skipIf(skip !== undefined)(`DORA through dhcrelay (${SERVER_KIND})`, () => {
  const ctx = useLab({ direct: [], relayed: [{}, {}] });
  const got: LeaseResult[] = [];

  const expectRelayedLease = (lease: LeaseResult): void => {
    expect(inRange(lease.ip, RELAY_POOL), `${lease.client} got ${lease.ip}`).toBe(true);
    expect(lease.mask).toBe('255.255.255.0');
    expect(lease.router).toBe(RELAY_GIADDR);
  };

  it('busybox udhcpc behind the relay gets an address from 203.0.113.0/24', async () => {
    const lease = await udhcpc(ctx.lab.relayed[0]!);
    expectRelayedLease(lease);
    got.push(lease);
    if (SERVER_KIND === 'daemon') await ctx.server.waitForEvt('lease.bound', (l) => l['ip'] === lease.ip, 5_000);
  });

  it('ISC dhclient behind the relay gets a different address from 203.0.113.0/24', async () => {
    const session = await DhclientSession.start(ctx.lab.relayed[1]!);
    const lease = session.lease!;
    expectRelayedLease(lease);
    got.push(lease);
    expect(new Set(got.map((l) => l.ip)).size).toBe(2);
  });
});
