// Crash recovery: leases survive a SIGKILL of the server (the ACK waits for the synced write), and stay theirs.
import { describe, expect, it } from 'vitest';
import { DhclientSession, dhcpcd, udhcpc, type LeaseResult } from './harness/clients.js';
import { DIRECT_POOL } from './harness/daemon.js';
import { SERVER_KIND, inRange, integrationSkip, useLab } from './harness/suite.js';

const skip = integrationSkip('restart');

describe.skipIf(skip !== undefined)(`leases survive a server crash (${SERVER_KIND})`, () => {
  const ctx = useLab({ direct: [{}, {}, {}, {}, {}] });
  const before = new Map<string, LeaseResult>();
  let dhclient: DhclientSession | undefined;
  const granted = (): string[] => [...before.values()].map((l) => l.ip);

  it('three clients get leases', async () => {
    const [a, b, c] = ctx.lab.direct;
    before.set('udhcpc', await udhcpc(a!));
    dhclient = await DhclientSession.start(b!);
    before.set('dhclient', dhclient.lease!);
    before.set('dhcpcd', await dhcpcd(c!));
    for (const l of before.values()) expect(inRange(l.ip, DIRECT_POOL), `${l.client}: ${l.ip}`).toBe(true);
    expect(new Set([...before.values()].map((l) => l.ip)).size).toBe(3);
  });

  it('the server is SIGKILLed and restarted on the same store', async () => {
    await ctx.server.kill();
    const server = await ctx.startServer();
    if (SERVER_KIND === 'daemon') {
      const restored = await server.waitForEvt('leases.rehydrated', undefined, 5_000);
      expect(restored['leases']).toBeGreaterThanOrEqual(3);
    }
  });

  // Newcomers ask first and old clients come back in reverse order, so a server that forgot its leases and
  // allocates in sequence would hand an old address to someone else here.
  it('a new client gets none of the granted addresses', async () => {
    const lease = await udhcpc(ctx.lab.direct[3]!);
    expect(inRange(lease.ip, DIRECT_POOL)).toBe(true);
    expect(granted()).not.toContain(lease.ip);
  });

  it('a new client asking for a granted address (option 50) gets another one', async () => {
    const lease = await udhcpc(ctx.lab.direct[4]!, { requestIp: before.get('udhcpc')!.ip });
    expect(inRange(lease.ip, DIRECT_POOL)).toBe(true);
    expect(granted()).not.toContain(lease.ip);
  });

  it('dhcpcd (INIT-REBOOT from its lease file) keeps its address', async () => {
    const lease = await dhcpcd(ctx.lab.direct[2]!);
    expect(lease.reason).toBe('REBOOT');
    expect(lease.ip).toBe(before.get('dhcpcd')!.ip);
  });

  it('dhclient (INIT-REBOOT from its lease file) keeps its address', async () => {
    await dhclient!.stop();
    const lease = await dhclient!.acquire();
    expect(lease.reason).toBe('REBOOT');
    expect(lease.ip).toBe(before.get('dhclient')!.ip);
  });

  it('udhcpc (a fresh DISCOVER, no hint) gets its address back', async () => {
    const lease = await udhcpc(ctx.lab.direct[0]!);
    expect(lease.ip).toBe(before.get('udhcpc')!.ip);
  });

  it('SIGTERM stops the server cleanly (exit 0)', async () => {
    expect(await ctx.server.stop()).toBe(0);
  });
});
