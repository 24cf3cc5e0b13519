// The security stages with real traffic over sockets, in network namespaces (issue 10 §3): the served bridge is an
// untrusted port, so a client posing as a relay (giaddr, option 82) is dropped; the MAC filter keeps a denied real
// client (busybox udhcpc) from a lease while another binds; the IP filter drops an INFORM from a denied ciaddr; a
// second server answering on the segment is reported with its server id, IP and MAC; RFC 3118 delayed
// authentication accepts a signed REQUEST and rejects a wrong MAC and a replayed counter. One lab for the file.
import { describe, expect, it } from 'vitest';
import { MessageType, type DhcpMessage } from '../../src/codec/types.js';
import { delayedAuthMac, delayedAuthValue, findAuthOption, sign } from '../../src/security/rfc3118.js';
import { clientMessage } from '../helpers/test-client.js';
import { udhcpc } from './harness/clients.js';
import { CraftedClient, typeOf } from './harness/crafted.js';
import { DIRECT_POOL, type LogLine } from './harness/daemon.js';
import { BRIDGE, SERVER_ADDRESS } from './harness/netns.js';
import { inRange, integrationSkip, SERVER_KIND, useLab } from './harness/suite.js';
import { encode } from '../../src/codec/index.js';

const skip = integrationSkip('security') ?? (SERVER_KIND === 'kea' ? 'our security stages only' : undefined);

const DENIED_MAC = '02:00:5e:66:00:09';
const KEY = Buffer.from('000102030405060708090a0b0c0d0e0f', 'hex');
const ROGUE_SERVER_ID = '198.51.100.77';
const BROADCAST_FLAG = 0x8000;

describe.skipIf(skip !== undefined)('security stages with real traffic (daemon)', () => {
  const ctx = useLab({ direct: [{}, { mac: DENIED_MAC }, {}, {}] }, {
    configure: (config) => {
      config['security'] = {
        interfaces: { [BRIDGE]: { trust: { untrusted: true } } },
        macFilter: { deny: ['02:00:5e:66'] },
        ipFilter: { ciaddr: { deny: ['192.0.2.0/24'] } },
        rogueDetection: { enabled: true, reportIntervalSeconds: 60 },
        authKeys: [{ id: 1, secret: KEY.toString('hex') }],
        subnets: { '198.51.100.0/24': { auth: { mode: 'optional' } } },
      };
    },
  });
  const rejected = (reason: string): LogLine | undefined =>
    ctx.server.logs.find((l) => l.evt === 'security.rejected' && l['reason'] === reason);

  async function crafted(index: number, address: string, ports?: number[]): Promise<CraftedClient> {
    return CraftedClient.start(ctx.lab.direct[index]!, { address, ...(ports ? { ports } : {}) });
  }

  it('a client posing as a relay on the untrusted port (giaddr, option 82) is dropped; its plain DISCOVER is answered', async () => {
    const c = await crafted(0, '198.51.100.240');
    try {
      const client = { mac: ctx.lab.direct[0]!.mac };
      const relayed = { ...clientMessage({ ...client, giaddr: '198.51.100.240' }, MessageType.DISCOVER), hops: 1 };
      expect(await c.exchange(relayed, { waitMs: 1_500 })).toBeUndefined();
      const circuit = clientMessage(client, MessageType.DISCOVER, { flags: BROADCAST_FLAG, extra: [{ code: 82, data: Buffer.from([1, 3, 0x65, 0x74, 0x30]) }] });
      expect(await c.exchange(circuit, { waitMs: 1_500 })).toBeUndefined();
      const plain = await c.exchange(clientMessage(client, MessageType.DISCOVER, { flags: BROADCAST_FLAG }), { waitMs: 5_000 });
      expect(plain?.message && typeOf(plain.message)).toBe(MessageType.OFFER);
    } finally {
      await c.stop();
    }
    expect(rejected('snooping/giaddr-on-untrusted')).toMatchObject({ iface: BRIDGE, err: { code: 'DHCPD_ERR_SECURITY_REJECTED' } });
    expect(rejected('snooping/option82-on-untrusted')).toBeDefined();
  });

  it('the MAC filter keeps a denied real client from a lease while another real client binds', async () => {
    await expect(udhcpc(ctx.lab.direct[1]!, { timeoutMs: 20_000 })).rejects.toThrow();
    expect(rejected('mac-filter/denied')).toBeDefined();
    const lease = await udhcpc(ctx.lab.direct[2]!, { timeoutMs: 30_000 });
    expect(inRange(lease.ip, DIRECT_POOL)).toBe(true);
  });

  it('the IP filter drops an INFORM from a denied ciaddr and answers one from an allowed ciaddr', async () => {
    const c = await crafted(3, '198.51.100.241');
    try {
      const client = { mac: ctx.lab.direct[3]!.mac };
      expect(await c.exchange(clientMessage(client, MessageType.INFORM, { ciaddr: '192.0.2.5', flags: BROADCAST_FLAG }), { waitMs: 1_500 })).toBeUndefined();
      const ok = await c.exchange(clientMessage(client, MessageType.INFORM, { ciaddr: '198.51.100.241' }), { waitMs: 5_000 });
      expect(ok?.message && typeOf(ok.message)).toBe(MessageType.ACK);
    } finally {
      await c.stop();
    }
    expect(rejected('ip-filter/ciaddr-denied')).toBeDefined();
  });

  it('a second server answering on the segment is reported with its server id, IP and MAC', async () => {
    const rogue = await crafted(0, '198.51.100.77', [67]);
    try {
      const offer: DhcpMessage = {
        ...clientMessage({ mac: '02:00:5e:10:99:01' }, MessageType.OFFER, { serverId: ROGUE_SERVER_ID }),
        op: 2, yiaddr: '198.51.100.150',
      };
      // Sent twice: a rogue source is reported once per interval, not per packet.
      await rogue.sendRaw(encode(offer), '255.255.255.255', 68);
      await rogue.sendRaw(encode(offer), '255.255.255.255', 68);
      const line = await ctx.server.waitForEvt('security.rogue_server', undefined, 10_000);
      expect(line).toMatchObject({ serverId: ROGUE_SERVER_ID, source: '198.51.100.77', type: 'OFFER', yiaddr: '198.51.100.150' });
      // The kernel's neighbour table knows the rogue's MAC once it has talked to us; the detector reports it when known.
      if (line['mac'] !== undefined) expect(line['mac']).toBe(ctx.lab.direct[0]!.mac);
      expect(ctx.server.logs.filter((l) => l.evt === 'security.rogue_server')).toHaveLength(1);
    } finally {
      await rogue.stop();
    }
  });

  it('RFC 3118 delayed authentication: a signed REQUEST is ACKed, a wrong MAC and a replayed counter are dropped', async () => {
    const c = await crafted(3, '198.51.100.242');
    try {
      const client = { mac: ctx.lab.direct[3]!.mac };
      const auth = (replay: bigint) => ({ code: 90, data: delayedAuthValue(replay, 1) });
      // A DISCOVER only asks for authentication (option 90 without a MAC, RFC 3118 §5.3).
      const discover = clientMessage(client, MessageType.DISCOVER, { flags: BROADCAST_FLAG, extra: [{ code: 90, data: delayedAuthValue(1n) }] });
      const offer = await c.exchange(discover, { waitMs: 5_000 });
      expect(offer?.message && typeOf(offer.message)).toBe(MessageType.OFFER);
      const yiaddr = offer!.message!.yiaddr;
      const request = (replay: bigint, key: Buffer) => sign(encode(clientMessage(client, MessageType.REQUEST, {
        flags: BROADCAST_FLAG, requested: yiaddr, serverId: SERVER_ADDRESS, extra: [auth(replay)],
      })), key);
      const forged = request(5n, Buffer.alloc(16, 0x42));
      await c.sendRaw(forged);
      expect(await c.waitFor(forged.readUInt32BE(4), 1_500)).toBeUndefined();
      const signed = request(6n, KEY);
      await c.sendRaw(signed);
      const ack = await c.waitFor(signed.readUInt32BE(4), 5_000);
      expect(ack?.message && typeOf(ack.message)).toBe(MessageType.ACK);
      expect(ack!.message!.yiaddr).toBe(yiaddr);
      // Our ACK is signed in turn (RFC 3118 §5): option 90 with key id 1 and the HMAC-MD5 of the ACK under KEY.
      const ours = findAuthOption(ack!.data);
      expect(ours?.secretId).toBe(1);
      expect(ack!.data.subarray(ours!.macOffset!, ours!.macOffset! + 16)).toEqual(delayedAuthMac(ack!.data, ours!.macOffset!, KEY));
      // The same counter again, in a new message (new xid, valid MAC): a replay.
      const replayed = request(6n, KEY);
      await c.sendRaw(replayed);
      expect(await c.waitFor(replayed.readUInt32BE(4), 1_500)).toBeUndefined();
    } finally {
      await c.stop();
    }
    expect(rejected('auth/bad-mac')).toBeDefined();
    expect(rejected('auth/replayed')).toBeDefined();
  });
});
