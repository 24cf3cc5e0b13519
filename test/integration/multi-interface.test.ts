// One daemon, several links (issue 4; RFC 2131 §4.1, §4.3.1): two directly attached segments each served from its own
// subnet with that interface's address as server id, unicast to the client's MAC when its broadcast flag is clear and
// broadcast when set, an unlisted segment ignored and counted, a relayed client, a link going down and up, and the
// dgram fallback serving a relayed client.
import { chmodSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Capture, type Frame } from './harness/capture.js';
import { DhclientSession, udhcpc, UdhcpcSession } from './harness/clients.js';
import { ensureBuilt, startDaemon, type DaemonConfig, type DhcpServer, type LogLine, type ServerSetup } from './harness/daemon.js';
import { cleanupLeftovers, teardownAll, TRANSIT_IF, type ClientNs } from './harness/netns.js';
import { exec, removeTempDirs, tempDir } from './harness/proc.js';
import { createSegmentsLab, type SegmentsLab } from './harness/segments.js';
import { inRange, integrationSkip } from './harness/suite.js';

const skip = integrationSkip('multi-interface');

const A = { cidr: '198.51.100.0/24', server: '198.51.100.1', pool: { start: '198.51.100.100', end: '198.51.100.199' } };
/** lab1 carries 198.18.3.1/24 first: the server id must still be its address inside the client's subnet. */
const B = { cidr: '203.0.113.0/24', server: '203.0.113.1', pool: { start: '203.0.113.100', end: '203.0.113.199' } };
const R = { cidr: '198.18.1.0/24', giaddr: '198.18.1.1', pool: { start: '198.18.1.100', end: '198.18.1.199' } };
const U = { cidr: '198.18.2.0/24', pool: { start: '198.18.2.100', end: '198.18.2.199' } };
const TRANSIT_SERVER = '198.18.0.1';
const BROADCAST_MAC = 'ff:ff:ff:ff:ff:ff';

/** Replaces the harness's default config with this topology's (`extra` on top). */
const configure = (transport: 'auto' | 'dgram', extra: Record<string, unknown> = {}) => (c: DaemonConfig): void => {
  const store = c['store'];
  for (const key of Object.keys(c)) delete c[key];
  Object.assign(c, {
    // No serverId: each reply carries the receiving interface's address. lab2 is deliberately not listed.
    interfaces: extra['interfaces'] ?? ['lab0', 'lab1'],
    listen: { transport, ...(extra['listen'] as object | undefined) },
    ...(extra['serverId'] !== undefined ? { serverId: extra['serverId'] } : {}),
    store,
    logging: { level: 'info' },
    subnets: [
      // Found through lab0's address, no `interface` needed.
      { subnet: A.cidr, pools: [A.pool], router: [A.server], leaseTime: 120 },
      { subnet: B.cidr, interface: 'lab1', pools: [B.pool], router: [B.server], leaseTime: 120 },
      { subnet: R.cidr, pools: [R.pool], router: [R.giaddr], leaseTime: 120 },
      // The unlisted segment's subnet exists, so only the interface filter can keep its client unserved.
      { subnet: U.cidr, pools: [U.pool], leaseTime: 120 },
    ],
  });
};

/** busybox udhcpc with the broadcast flag set (-B), which the shared helper does not offer. */
async function udhcpcBroadcastFlag(c: ClientNs): Promise<{ ip: string; serverId: string }> {
  const dir = tempDir('udhcpc-b');
  const hook = join(dir, 'hook.sh');
  writeFileSync(hook, `#!/bin/sh\n[ "$1" = bound ] && printf '%s %s\\n' "$ip" "$serverid" > "${dir}/lease"\nexit 0\n`);
  chmodSync(hook, 0o755);
  const argv = ['netns', 'exec', c.ns, 'busybox', 'udhcpc', '-i', c.iface, '-f', '-q', '-n', '-B', '-t', '4', '-T', '2', '-s', hook];
  const r = await exec('ip', argv, { timeoutMs: 20_000 });
  expect(r.code, `udhcpc -B in ${c.ns}: ${r.stdout}${r.stderr}`).toBe(0);
  const [ip = '', serverId = ''] = readFileSync(join(dir, 'lease'), 'utf8').trim().split(' ');
  return { ip, serverId };
}

const fromServer = (frames: Frame[]): Frame[] => frames.filter((f) => f.src.endsWith('.67'));
const fromClient = (frames: Frame[]): Frame[] => frames.filter((f) => f.src.endsWith('.68'));
const messageType = (f: Frame): string | undefined => /DHCP-Message \(53\), length 1: (\w+)/.exec(f.text)?.[1];

describe.skipIf(skip !== undefined)('one daemon serving several interfaces (native transport)', () => {
  let lab: SegmentsLab;
  let setup: ServerSetup;
  let server: DhcpServer;
  const seg = (k: number, i: number): ClientNs => lab.segments[k]![i]!;

  beforeAll(async () => {
    await cleanupLeftovers();
    await ensureBuilt();
    lab = await createSegmentsLab({
      segments: [
        { bridge: 'lab0', addresses: [`${A.server}/24`], clients: [{}, {}] },
        { bridge: 'lab1', addresses: ['198.18.3.1/24', `${B.server}/24`], clients: [{}, {}] },
        { bridge: 'lab2', addresses: ['198.18.2.1/24'], clients: [{}] },
      ],
      relayed: [{}],
      relayNet: { transitServer: TRANSIT_SERVER, transitRelay: '198.18.0.2', transitPrefix: 24, clientSubnet: R.cidr, giaddr: R.giaddr },
    });
    setup = { stateDir: tempDir('state'), configure: configure('auto') };
    server = await startDaemon(lab, setup);
  }, 60_000);

  afterAll(async () => {
    try {
      await server?.stop();
      await lab?.destroy();
    } finally {
      await teardownAll();
      removeTempDirs();
    }
  }, 30_000);

  it('selects the native transport and learns both listed interfaces', () => {
    const selected = server.logs.find((l) => l.evt === 'transport.selected');
    expect(selected).toMatchObject({ kind: 'native' });
    const learnt = selected!['interfaces'] as { name: string; addresses: { address: string }[] }[];
    expect(learnt.map((i) => [i.name, i.addresses.map((a) => a.address)])).toEqual([
      ['lab0', [A.server]],
      ['lab1', ['198.18.3.1', B.server]],
    ]);
  });

  it('udhcpc on lab0 (broadcast flag clear) gets 198.51.100.0/24, its OFFER and ACK unicast to its MAC and address', async () => {
    const c = seg(0, 0);
    const cap = await Capture.start(c.ns, c.iface, 'udp and (port 67 or port 68)', { verbose: true });
    const lease = await udhcpc(c);
    const frames = await cap.stop();
    expect(inRange(lease.ip, A.pool), lease.ip).toBe(true);
    expect([lease.serverId, lease.router]).toEqual([A.server, A.server]);
    expect(fromClient(frames).every((f) => f.text.includes('Flags [none]'))).toBe(true);
    const replies = fromServer(frames);
    expect(replies.length, frames.map((f) => f.text).join('\n')).toBeGreaterThanOrEqual(2);
    for (const f of replies) expect([f.dstMac, f.src, f.dst]).toEqual([c.mac, `${A.server}.67`, `${lease.ip}.68`]);
    expect(replies.map(messageType)).toEqual(['Offer', 'ACK']);
  });

  it('dhclient on lab0 gets another address of 198.51.100.0/24', async () => {
    const first = await DhclientSession.start(seg(0, 1));
    const lease = first.lease!;
    expect(inRange(lease.ip, A.pool), lease.ip).toBe(true);
    expect(lease.serverId).toBe(A.server);
    await first.stop();
  });

  it("dhclient on lab1 gets 203.0.113.0/24 with lab1's address in that subnet as server id", async () => {
    const session = await DhclientSession.start(seg(1, 0));
    const lease = session.lease!;
    expect(inRange(lease.ip, B.pool), lease.ip).toBe(true);
    expect([lease.serverId, lease.router, lease.mask]).toEqual([B.server, B.server, '255.255.255.0']);
    await session.stop();
  });

  it('udhcpc -B on lab1 (broadcast flag set) gets its replies broadcast', async () => {
    const c = seg(1, 1);
    const cap = await Capture.start(c.ns, c.iface, 'udp and (port 67 or port 68)', { verbose: true });
    const lease = await udhcpcBroadcastFlag(c);
    const frames = await cap.stop();
    expect(inRange(lease.ip, B.pool), lease.ip).toBe(true);
    expect(lease.serverId).toBe(B.server);
    expect(fromClient(frames).every((f) => f.text.includes('Flags [Broadcast]'))).toBe(true);
    const replies = fromServer(frames);
    expect(replies.length).toBeGreaterThanOrEqual(2);
    for (const f of replies) expect([f.dstMac, f.src, f.dst]).toEqual([BROADCAST_MAC, `${B.server}.67`, '255.255.255.255.68']);
    expect(replies.map(messageType)).toEqual(['Offer', 'ACK']);
  });

  it('a client behind dhcrelay gets 198.18.1.0/24 (its request came over the unlisted transit link)', async () => {
    const lease = await udhcpc(lab.relayed[0]!);
    expect(inRange(lease.ip, R.pool), lease.ip).toBe(true);
    expect([lease.serverId, lease.router]).toEqual([TRANSIT_SERVER, R.giaddr]);
  });

  it('a client on the unlisted lab2 gets nothing, and the daemon counts what it ignored', async () => {
    await expect(udhcpc(seg(2, 0), { timeoutMs: 5_000 })).rejects.toThrow(/got no lease/);
    const ignored = server.logs.filter((l) => l.evt === 'net.ignored_interface');
    expect(ignored.length).toBeGreaterThanOrEqual(1);
    expect(ignored.at(-1)).toMatchObject({ to: '255.255.255.255', ignored: expect.any(Number) });
    expect(server.logs.some((l) => l.evt === 'lease.offered' && inRange(String(l['ip']), U.pool))).toBe(false);
  });

  it('keeps serving lab1 while lab0 is down, and lab0 again once it is back up', async () => {
    const relearnt = (evt: LogLine, addresses: number): boolean =>
      (evt['interfaces'] as { name: string; addresses: unknown[] }[]).some((i) => i.name === 'lab0' && i.addresses.length === addresses);
    const seen = server.logs.length;
    await lab.serverIp('link', 'set', 'lab0', 'down');
    // The periodic re-read (every 5 s) notices the link without addresses; sending or receiving there fails meanwhile.
    await server.waitForEvt('net.interfaces', (l) => server.logs.indexOf(l) >= seen && relearnt(l, 0), 8_000);
    const during = await udhcpc(seg(1, 1));
    expect(inRange(during.ip, B.pool), during.ip).toBe(true);
    await lab.serverIp('link', 'set', 'lab0', 'up');
    // lab0's subnet is found through its address only: the first DISCOVER must make the daemon look again.
    const after = await udhcpc(seg(0, 0));
    expect(inRange(after.ip, A.pool), after.ip).toBe(true);
    expect(after.serverId).toBe(A.server);
    expect(server.logs.some((l) => l.evt === 'net.interfaces' && server.logs.indexOf(l) >= seen && relearnt(l, 1))).toBe(true);
    expect(server.logs.some((l) => l.evt === 'server.stopped' || l.evt === 'supervisor.crashed')).toBe(false);
  });

  it('with the transit link listed too, a relayed client gets its lease and renews it by unicast over that link', async () => {
    expect(await server.stop()).toBe(0);
    server = await startDaemon(lab, { ...setup, configure: configure('auto', { interfaces: ['lab0', 'lab1', TRANSIT_IF] }) });
    const c = lab.relayed[0]!;
    const session = await UdhcpcSession.start(c);
    try {
      const lease = session.lease!;
      expect(inRange(lease.ip, R.pool), lease.ip).toBe(true);
      expect(lease.serverId).toBe(TRANSIT_SERVER);
      // RENEWING (RFC 2131 §4.4.5) is a unicast from the client's address straight to the server id.
      // udhcpc waits 2 s (-T 2) for the unicast's answer before it rebinds by broadcast through the relay, which a
      // daemon under load (a slow disk sync) can miss: what must happen at least once is an answered unicast.
      const renewedByUnicast = (): boolean => server.logs.some((l) => l.evt === 'lease.renewed' && l['ip'] === lease.ip && l['reason'] === 'renewed');
      for (let attempt = 0; attempt < 3 && !renewedByUnicast(); attempt++) {
        // Each renewal's hook flushes and re-adds the address, which takes the route via the relay with it.
        await exec('ip', ['-n', c.ns, 'route', 'replace', 'default', 'via', R.giaddr], { timeoutMs: 5_000 });
        const renewed = await session.renew();
        expect(renewed.ip).toBe(lease.ip);
        await server.waitForEvt('lease.renewed', (l) => l['ip'] === lease.ip && l['reason'] === 'renewed', 1_000).catch(() => undefined);
      }
      expect(renewedByUnicast(), server.output()).toBe(true);
    } finally {
      await session.stop();
    }
  });

  it('with serverId configured, uses it on every link; with unlistedUnicast "drop", refuses the transit link', async () => {
    expect(await server.stop()).toBe(0);
    server = await startDaemon(lab, { ...setup, configure: configure('auto', { serverId: A.server, listen: { unlistedUnicast: 'drop' } }) });
    const c = seg(1, 1);
    const cap = await Capture.start(c.ns, c.iface, 'udp src port 67', { verbose: true });
    const lease = await udhcpc(c);
    const frames = await cap.stop();
    expect(inRange(lease.ip, B.pool), lease.ip).toBe(true);
    expect([lease.serverId, lease.router]).toEqual([A.server, B.server]);
    expect(frames.length).toBeGreaterThanOrEqual(2);
    for (const f of frames) expect([f.dstMac, f.src]).toEqual([c.mac, `${A.server}.67`]);
    await expect(udhcpc(lab.relayed[0]!, { timeoutMs: 4_000 })).rejects.toThrow(/got no lease/);
    expect(server.logs.some((l) => l.evt === 'net.ignored_interface' && l['to'] === TRANSIT_SERVER)).toBe(true);
  });

  it('with listen.transport "dgram" serves a relayed client, and says which transport it uses', async () => {
    expect(await server.stop()).toBe(0);
    server = await startDaemon(lab, { ...setup, configure: configure('dgram') });
    expect(server.logs.find((l) => l.evt === 'transport.selected')).toMatchObject({ kind: 'dgram', reason: 'configured' });
    expect(server.logs.find((l) => l.evt === 'server.ready')).toMatchObject({ transport: 'dgram' });
    const lease = await udhcpc(lab.relayed[0]!);
    expect(inRange(lease.ip, R.pool), lease.ip).toBe(true);
    expect(lease.router).toBe(R.giaddr);
  });
});
