// The transports on real links: the native one in a server namespace with two served segments (plus one not served),
// the dgram fallback; RFC 2131 §4.1 unicast to a client's MAC checked with a packet capture in the client namespace.
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { findAddon } from '../../src/net/native-binding.js';
import { skipReason } from './harness/netns.js';
import { sleep } from './harness/proc.js';
import { addSegment, CLIENT_AGENT, hex, ip, JsonProc, nsName, removeNamespaces, type Segment } from './transport.harness.js';

const skip = skipReason();
const CHILD = fileURLToPath(new URL('./transport.child.ts', import.meta.url));
const SRV = nsName('srv');
const seg = (n: number, serverAddress: string, clientAddress: string): Segment => ({
  client: nsName(`c${n}`), serverIf: `adn-s${n}`, serverAddress, clientAddress, prefix: 24, clientMac: '', serverMac: '',
});
const S1 = seg(1, '198.51.100.1', '198.51.100.10');
const S2 = seg(2, '203.0.113.1', '203.0.113.10');
/** Not listed: broadcasts from here must be ignored. */
const S3 = seg(3, '198.18.3.1', '198.18.3.10');
const SERVED = [S1.serverIf, S2.serverIf];

const agents = new Map<Segment, JsonProc>();
const procs: JsonProc[] = [];

function startServer(mode: 'auto' | 'fallback'): Promise<JsonProc> {
  const p = new JsonProc(`transport(${mode})`, SRV, [process.execPath, '--import', 'tsx', CHILD, JSON.stringify({ mode, port: 67, interfaces: SERVED })]);
  procs.push(p);
  return p.waitFor((e) => e.evt === 'ready', 15_000).then(() => p);
}

/** Sends `data` from a client namespace; resolves once its kernel took it. */
async function clientSend(s: Segment, address: string, data: string, port = 67): Promise<void> {
  const reply = await agents.get(s)!.request({ address, port, data: hex(data) });
  expect(reply, `send from ${s.client}`).toMatchObject({ ok: true });
}

const inboundWith = (data: string) => (e: Record<string, unknown>) => e.evt === 'inbound' && e.data === hex(data);

/** Captures one frame to UDP port 68 in a client namespace (tcpdump -e: link-level header included). */
async function capture(s: Segment, filter: string): Promise<{ frames: () => string; stop: () => Promise<void> }> {
  const child = spawn('ip', ['netns', 'exec', s.client, 'tcpdump', '-i', 'adn-c', '-n', '-e', '-vv', '-l', '-c', '1', filter], { stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  let err = '';
  child.stdout.on('data', (b: Buffer) => (out += b.toString()));
  const listening = new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`tcpdump did not start: ${err}`)), 5_000);
    child.stderr.on('data', (b: Buffer) => {
      err += b.toString();
      if (err.includes('listening on')) {
        clearTimeout(timer);
        resolve();
      }
    });
  });
  const exited = new Promise<void>((resolve) => child.on('exit', () => resolve()));
  await listening;
  return {
    frames: () => out,
    stop: async () => {
      const timer = setTimeout(() => child.kill('SIGKILL'), 3_000);
      await exited;
      clearTimeout(timer);
    },
  };
}

describe.skipIf(skip !== undefined)('transports in network namespaces', () => {
  let server: JsonProc;

  beforeAll(async () => {
    if (findAddon() === undefined) throw new Error('native addon not built: run `npm ci` or `npm run build:native`');
    await removeNamespaces(false);
    await ip('netns', 'add', SRV);
    await ip('-n', SRV, 'link', 'set', 'lo', 'up');
    for (const s of [S1, S2, S3]) {
      await addSegment(SRV, s);
      const agent = new JsonProc(`client ${s.client}`, s.client, [process.execPath, '-e', CLIENT_AGENT]);
      procs.push(agent);
      agents.set(s, agent);
      await agent.waitFor((e) => e.evt === 'ready');
    }
    server = await startServer('auto');
  }, 60_000);

  afterAll(async () => {
    await Promise.all(procs.map((p) => p.stop()));
    await removeNamespaces(true);
  });

  it('selects the native transport and learns both served interfaces', async () => {
    expect(server.events[0]).toMatchObject({ evt: 'ready', kind: 'native' });
    const ifaces = server.events[0]!.interfaces as { name: string; mac: string; addresses: unknown[] }[];
    expect(ifaces.map((i) => [i.name, i.mac, i.addresses])).toEqual([
      [S1.serverIf, S1.serverMac, [{ address: S1.serverAddress, prefixLength: 24 }]],
      [S2.serverIf, S2.serverMac, [{ address: S2.serverAddress, prefixLength: 24 }]],
    ]);
    expect(server.log.some((l) => l.includes('"evt":"transport.selected"') && l.includes('"kind":"native"'))).toBe(true);
  });

  it('reports the receiving interface of a broadcast on each segment', async () => {
    await clientSend(S1, '255.255.255.255', 'discover-from-c1');
    await clientSend(S2, '255.255.255.255', 'discover-from-c2');
    const a = await server.waitFor(inboundWith('discover-from-c1'));
    const b = await server.waitFor(inboundWith('discover-from-c2'));
    expect(a).toMatchObject({ iface: S1.serverIf, broadcast: true, localAddress: '255.255.255.255', from: { address: S1.clientAddress, port: 68 }, ownMemory: true });
    expect(b).toMatchObject({ iface: S2.serverIf, broadcast: true, localAddress: '255.255.255.255', from: { address: S2.clientAddress, port: 68 } });
  });

  it('tells a directed broadcast and a unicast to us apart', async () => {
    await clientSend(S2, '203.0.113.255', 'directed-c2');
    await clientSend(S2, S2.serverAddress, 'unicast-c2');
    expect(await server.waitFor(inboundWith('directed-c2'))).toMatchObject({ iface: S2.serverIf, broadcast: true, localAddress: '203.0.113.255' });
    expect(await server.waitFor(inboundWith('unicast-c2'))).toMatchObject({ iface: S2.serverIf, broadcast: false, localAddress: S2.serverAddress });
  });

  it('drops a datagram larger than a receive slot, counted, and delivers those after it (recvmmsg slots)', async () => {
    const before = ((await server.request({ cmd: 'stats' })).stats as { truncated: number }).truncated;
    const big = 'x'.repeat(9000);
    await clientSend(S2, S2.serverAddress, big);
    await Promise.all(Array.from({ length: 50 }, (_, i) => clientSend(S2, S2.serverAddress, `burst-${i}`)));
    for (let i = 0; i < 50; i++) expect(await server.waitFor(inboundWith(`burst-${i}`))).toMatchObject({ ownMemory: true });
    expect(server.events.some(inboundWith(big))).toBe(false);
    expect(((await server.request({ cmd: 'stats' })).stats as { truncated: number }).truncated).toBe(before + 1);
  });

  it('delivers a burst longer than one recvmmsg (64 slots) whole and in order, each datagram in memory of its own', async () => {
    const sent = Array.from({ length: 200 }, (_, i) => `train-${i}`);
    await Promise.all(sent.map((d) => clientSend(S1, S1.serverAddress, d)));
    for (const d of sent) expect(await server.waitFor(inboundWith(d))).toMatchObject({ ownMemory: true, iface: S1.serverIf, from: { address: S1.clientAddress } });
    const order = sent.map((d) => server.events.findIndex(inboundWith(d)));
    expect(order).toEqual([...order].sort((a, b) => a - b));
  });

  it('sends a broadcast reply out of the named interface only, from its address', async () => {
    const before1 = agents.get(S1)!.events.length;
    const r = await server.request({ cmd: 'send', out: { data: hex('offer-to-seg2'), to: { address: '255.255.255.255', port: 68 }, ifaceName: S2.serverIf, source: S2.serverAddress } });
    expect(r).toMatchObject({ ok: true });
    const rx = await agents.get(S2)!.waitFor((e) => e.evt === 'rx' && e.data === hex('offer-to-seg2'));
    expect(rx).toMatchObject({ from: S2.serverAddress, port: 67 });
    await sleep(300);
    expect(agents.get(S1)!.events.slice(before1).filter((e) => e.evt === 'rx')).toEqual([]);
  });

  it('unicasts to the client MAC and yiaddr before the client has that address (RFC 2131 §4.1)', async () => {
    const yiaddr = '198.51.100.50';
    const cap = await capture(S1, `udp dst port 68 and dst host ${yiaddr}`);
    const r = await server.request({ cmd: 'send', out: { data: hex('ack-unicast'), to: { address: yiaddr, port: 68 }, ifaceName: S1.serverIf, hwAddress: S1.clientMac } });
    expect(r).toMatchObject({ ok: true });
    await cap.stop();
    const frame = cap.frames();
    expect(frame).toContain(`${S1.serverMac} > ${S1.clientMac}`);
    expect(frame).toContain(`${S1.serverAddress}.67 > ${yiaddr}.68`);
    expect(frame).toContain('udp sum ok');
    const stats = await server.request({ cmd: 'stats' });
    expect(stats.stats).toMatchObject({ sentToMac: 1, macFallbacks: 0 });
    // No ARP was needed: the server never learnt a neighbour entry for yiaddr.
    expect((await ip('-n', SRV, 'neigh', 'show', yiaddr)).trim()).toBe('');
  });

  it('sends the replies of one turn in one sendmmsg; an unroutable one fails alone and the others arrive', async () => {
    const before = (await server.request({ cmd: 'stats' })).stats as { sendBatches: number; batchedSends: number; sent: number };
    const outs = [
      { data: hex('batch-1'), to: { address: S2.clientAddress, port: 68 } },
      // No route to 198.19.77.1 in the server namespace: the kernel refuses it (ENETUNREACH); it never leaves.
      { data: hex('batch-unroutable'), to: { address: '198.19.77.1', port: 68 } },
      { data: hex('batch-2'), to: { address: '255.255.255.255', port: 68 }, ifaceName: S2.serverIf, source: S2.serverAddress },
      { data: hex('batch-3'), to: { address: S2.clientAddress, port: 68 } },
    ];
    const r = await server.request({ cmd: 'sendMany', outs });
    expect(r.outcomes).toEqual([
      { ok: true },
      { ok: false, code: 'DHCPD_ERR_NET_UNREACHABLE', transient: false, details: expect.objectContaining({ errno: 'ENETUNREACH' }) },
      { ok: true },
      { ok: true },
    ]);
    for (const d of ['batch-1', 'batch-2', 'batch-3']) await agents.get(S2)!.waitFor((e) => e.evt === 'rx' && e.data === hex(d));
    const after = (await server.request({ cmd: 'stats' })).stats as typeof before;
    expect(after.sendBatches - before.sendBatches).toBe(1);
    expect(after.batchedSends - before.batchedSends).toBe(4);
    expect(after.sent - before.sent).toBe(3);
  });

  it('ignores broadcasts from an interface that is not listed, but takes a unicast to us (relayed traffic)', async () => {
    await clientSend(S3, '255.255.255.255', 'discover-from-c3');
    await clientSend(S3, S3.serverAddress, 'relayed-via-c3');
    const relayed = await server.waitFor(inboundWith('relayed-via-c3'));
    expect(relayed).toMatchObject({ iface: null, broadcast: false, localAddress: S3.serverAddress });
    expect(server.events.some(inboundWith('discover-from-c3'))).toBe(false);
    const stats = await server.request({ cmd: 'stats' });
    expect(stats.stats).toMatchObject({ ignoredInterface: 1, unlistedUnicast: 1 });
  });

  it('survives its interface going down and up, and serves again', async () => {
    await ip('-n', SRV, 'link', 'set', S1.serverIf, 'down');
    const failed = await server.request({ cmd: 'send', out: { data: hex('while-down'), to: { address: '255.255.255.255', port: 68 }, ifaceName: S1.serverIf } });
    // The route went with the link: ENETUNREACH, which no retry can cure (the client retransmits once it is back).
    expect(failed).toMatchObject({ ok: false, code: 'DHCPD_ERR_NET_UNREACHABLE', transient: false });
    const down = await server.request({ cmd: 'refresh' });
    expect((down.interfaces as { name: string; addresses: unknown[] }[]).find((i) => i.name === S1.serverIf)?.addresses).toEqual([]);

    await ip('-n', SRV, 'link', 'set', S1.serverIf, 'up');
    await ip('-n', SRV, 'addr', 'add', '198.51.100.2/24', 'dev', S1.serverIf);
    let seen = false;
    for (let i = 0; i < 40 && !seen; i++) {
      await clientSend(S1, '255.255.255.255', `after-up-${i}`).catch(() => {});
      seen = await server.waitFor(inboundWith(`after-up-${i}`), 250).then(() => true, () => false);
    }
    expect(seen).toBe(true);
    const up = await server.request({ cmd: 'refresh' });
    const s1 = (up.interfaces as { name: string; addresses: { address: string }[] }[]).find((i) => i.name === S1.serverIf);
    expect(s1?.addresses.map((a) => a.address).sort()).toEqual(['198.51.100.1', '198.51.100.2']);
    expect(await server.request({ cmd: 'send', out: { data: hex('after-up'), to: { address: '255.255.255.255', port: 68 }, ifaceName: S1.serverIf } })).toMatchObject({ ok: true });
  });

  it('falls back to dgram when the addon is unavailable, says so, and still receives and sends', async () => {
    await server.request({ cmd: 'close' });
    const fallback = await startServer('fallback');
    expect(fallback.events[0]).toMatchObject({ evt: 'ready', kind: 'dgram', interfaces: [] });
    expect(fallback.log.some((l) => l.includes('"evt":"transport.selected"') && l.includes('"kind":"dgram"') && l.includes('forced by the test'))).toBe(true);
    await clientSend(S1, '255.255.255.255', 'discover-to-dgram');
    expect(await fallback.waitFor(inboundWith('discover-to-dgram'))).toMatchObject({ iface: null, broadcast: null, from: { address: S1.clientAddress, port: 68 } });
    expect(await fallback.request({ cmd: 'send', out: { data: hex('dgram-reply'), to: { address: S1.clientAddress, port: 68 } } })).toMatchObject({ ok: true });
    expect(await agents.get(S1)!.waitFor((e) => e.evt === 'rx' && e.data === hex('dgram-reply'))).toMatchObject({ from: S1.serverAddress });
    await fallback.request({ cmd: 'close' });
  });
});
