// RFC 3118 delayed authentication, the server's side: a client that authenticated gets replies carrying option 90
// with the server's own replay counter (strictly increasing) and the HMAC-MD5 of the reply, checked here with
// node:crypto directly (not the daemon's helper); a client that did not gets replies without it.
import { createHmac } from 'node:crypto';
import { afterEach, describe, expect, it } from 'vitest';
import { encode } from '../../../src/codec/index.js';
import { MessageType, type DhcpMessage } from '../../../src/codec/types.js';
import { delayedAuthValue, sign } from '../../../src/security/rfc3118.js';
import { ReplySigner } from '../../../src/security/reply-signer.js';
import { openMemoryStore } from '../../../src/store/open.js';
import { clientMessage } from '../../helpers/test-client.js';
import { LAB_CONFIG, replyType, SERVER_ID } from '../../helpers/test-server.js';
import { startTestDaemon, type TestDaemon } from '../../helpers/test-daemon.js';

const KEY = Buffer.from('0f0e0d0c0b0a09080706050403020100', 'hex');
const OTHER_KEY = Buffer.from('00112233445566778899aabbccddeeff', 'hex');
const IFACE = { name: 'lab0', index: 2, mac: '02:00:5e:00:00:01', addresses: [{ address: '198.51.100.1', prefixLength: 24 }] };
const CLIENT = { mac: '02:00:5e:41:00:01' };

/** Option 90 of a datagram, read by hand: [offset of its value, value]. */
function authOption(d: Buffer): { at: number; value: Buffer } | undefined {
  for (let i = 240; i < d.length && d[i] !== 255;) {
    if (d[i] === 0) { i++; continue; }
    if (d[i] === 90) return { at: i + 2, value: d.subarray(i + 2, i + 2 + d[i + 1]!) };
    i += 2 + d[i + 1]!;
  }
  return undefined;
}

/** RFC 3118 §5: HMAC-MD5 over the datagram with hops (byte 3), giaddr (24..27) and the MAC field zeroed. */
function expectedMac(d: Buffer, key: Buffer): Buffer {
  const copy = Buffer.from(d);
  const auth = authOption(copy)!;
  copy[3] = 0;
  copy.fill(0, 24, 28);
  copy.fill(0, auth.at + 15, auth.at + 31);
  return createHmac('md5', key).update(copy).digest();
}

function checkSigned(d: Buffer, secretId: number, key: Buffer): bigint {
  const auth = authOption(d);
  expect(auth).toBeDefined();
  const v = auth!.value;
  expect([v.length, v[0], v[1], v[2], v.readUInt32BE(11)]).toEqual([31, 2, 1, 0, secretId]);
  expect(v.subarray(15).toString('hex')).toBe(expectedMac(d, key).toString('hex'));
  return v.readBigUInt64BE(3);
}

describe('signing our replies (RFC 3118 delayed authentication)', () => {
  let s: TestDaemon | undefined;
  afterEach(async () => s?.app.stop());

  async function server(): Promise<TestDaemon> {
    s = startTestDaemon({ store: await openMemoryStore(), wire: { ...LAB_CONFIG, conflictCheck: { enabled: false }, security: {
      authKeys: [{ id: 7, secret: OTHER_KEY.toString('hex') }, { id: 3, secret: KEY.toString('hex') }],
      subnets: { '198.51.100.0/24': { auth: { mode: 'optional' } } },
    } } });
    await s.app.ready;
    return s;
  }

  async function exchangeRaw(srv: TestDaemon, data: Buffer): Promise<Buffer | undefined> {
    const before = srv.link.sent.length;
    srv.link.inbound$.next({ data, from: { address: '0.0.0.0', port: 68 }, iface: IFACE, broadcast: true, receivedAt: srv.clock.now() });
    for (let i = 0; i < 100 && srv.link.sent.length === before; i++) await new Promise((r) => setTimeout(r, 2));
    return srv.link.sent[before]?.out.data;
  }

  it('an OFFER to a DISCOVER asking for authentication and the ACK to a signed REQUEST carry our MAC and a rising counter', async () => {
    const srv = await server();
    const offer = await exchangeRaw(srv, encode(clientMessage(CLIENT, MessageType.DISCOVER, { extra: [{ code: 90, data: delayedAuthValue(1n) }] })));
    // The server chooses the key for the OFFER: the lowest configured id (3).
    const offerReplay = checkSigned(offer!, 3, KEY);
    const yiaddr = [...offer!.subarray(16, 20)].join('.');
    const request: DhcpMessage = clientMessage(CLIENT, MessageType.REQUEST, { requested: yiaddr, serverId: SERVER_ID, extra: [{ code: 90, data: delayedAuthValue(2n, 3) }] });
    const ack = await exchangeRaw(srv, sign(encode(request), KEY));
    expect(ack![242]).toBe(MessageType.ACK);
    expect(checkSigned(ack!, 3, KEY)).toBeGreaterThan(offerReplay);
  });

  it('a client that did not authenticate gets replies without option 90', async () => {
    const srv = await server();
    const offer = await exchangeRaw(srv, encode(clientMessage(CLIENT, MessageType.DISCOVER)));
    expect(offer).toBeDefined();
    expect(replyType(srv.link.sent[0]!.message)).toBe(MessageType.OFFER);
    expect(authOption(offer!)).toBeUndefined();
  });

  it('the replay counter is strictly increasing, also within one millisecond and when the clock steps back', () => {
    let now = 1_000;
    const signer = new ReplySigner(() => now);
    const a = signer.nextReplay();
    const b = signer.nextReplay();
    now = 500;
    const c = signer.nextReplay();
    now = 2_000;
    const d = signer.nextReplay();
    expect(a < b && b < c && c < d).toBe(true);
  });
});
