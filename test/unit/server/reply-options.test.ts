// Reply building (RFC 2131 §4.3.1 table 3, RFC 2132): option 55 order plus the mandatory options, 61 and 82
// echoed (RFC 6842, RFC 3046), NAK contents, flags and giaddr kept, and option 57 (576 floor) with the least
// wanted options dropped first and the protected ones never.
import { describe, expect, it } from 'vitest';
import { decode, decodeOptionValue, findOptionDef, getOption } from '../../../src/codec/index.js';
import { BROADCAST_FLAG, MessageType, type DhcpRequest } from '../../../src/codec/types.js';
import { buildReply, maxReplySize } from '../../../src/server/reply.js';
import { dropOrder, fitReply, PROTECTED_OPTIONS } from '../../../src/server/reply-fit.js';
import { clientMessage, type ClientSpec, type MessageSpec } from '../../helpers/test-client.js';
import { LAB_CONFIG, compile } from '../../helpers/test-server.js';

const SEARCH = Array.from({ length: 12 }, (_, i) => `zone${i}.a-rather-long-domain-name.lab.example`);
const ROUTES = [{ destination: '198.18.0.0/15', router: '198.51.100.1' }, { destination: '0.0.0.0/0', router: '198.51.100.1' }];
const wire = structuredClone(LAB_CONFIG) as typeof LAB_CONFIG & { subnets: Record<string, unknown>[] };
wire.subnets[0]!['options'] = {
  'domain-search': SEARCH, 'classless-static-routes': ROUTES,
  'ntp-servers': Array.from({ length: 20 }, (_, i) => `198.51.100.${i + 20}`), 'tftp-server-name': 'tftp.lab.example',
  // Site-specific options (RFC 2132 §2: 224-254) big enough that not all of them fit in 576.
  '224': 'e0'.repeat(180), '225': 'e1'.repeat(180), '226': 'e2'.repeat(180),
};
const subnet = compile(wire).subnets[0]!;
const times = { lease: 3600, renewal: 1800, rebinding: 3150 };
const SERVER = '198.51.100.1';

const request = (spec: MessageSpec = {}, client: ClientSpec = { mac: '02:00:5e:10:00:50' }, type = MessageType.DISCOVER): DhcpRequest =>
  ({ ...clientMessage(client, type, spec), type }) as DhcpRequest;
const codes = (m: { options: { code: number }[] }) => m.options.map((o) => o.code);
const offer = (req: DhcpRequest) => buildReply(req, { type: MessageType.OFFER, serverId: SERVER, yiaddr: '198.51.100.100', subnet, times });

describe('reply options', () => {
  it('mandatory options first, then 1 and 3 when configured, then the requested ones in option 55 order', () => {
    expect(codes(offer(request({ prl: [42, 15, 6] })))).toEqual([53, 54, 51, 58, 59, 1, 3, 42, 15, 6]);
    expect(codes(offer(request({ prl: [121, 3, 119, 1] })))).toEqual([53, 54, 51, 58, 59, 121, 3, 119, 1]);
  });

  it('skips what is not configured, duplicates, and 53/54 asked for in option 55', () => {
    expect(codes(offer(request({ prl: [6, 6, 53, 54, 200, 15] })))).toEqual([53, 54, 51, 58, 59, 1, 3, 6, 15]);
  });

  it('echoes option 61 (RFC 6842) and option 82 verbatim, last (RFC 3046 §2.2)', () => {
    const clientId = Buffer.from('01020005e1000051', 'hex');
    const agent = Buffer.from([1, 3, 0x61, 0x62, 0x63, 2, 2, 0xbe, 0xef]);
    const req = request({ extra: [{ code: 82, data: agent }] }, { mac: '02:00:5e:10:00:51', clientId, giaddr: '203.0.113.1' });
    const reply = offer(req);
    expect(getOption(reply, 61)).toEqual(clientId);
    expect(reply.options.at(-1)).toEqual({ code: 82, data: agent });
    const nak = buildReply(req, { type: MessageType.NAK, serverId: SERVER, message: 'no-lease' });
    expect(getOption(nak, 61)).toEqual(clientId);
    expect(nak.options.at(-1)?.code).toBe(82);
  });

  it('server id and lease times are each reply\'s own, whatever the reply before had (shared options are per value)', () => {
    const req = request();
    const value = (m: ReturnType<typeof buildReply>, code: number) => getOption(m, code)?.toString('hex');
    const spans = [times, { lease: 600, renewal: 300, rebinding: 525 }, times, { lease: 600, renewal: 1800, rebinding: 525 }];
    const servers = [SERVER, '198.51.100.2', '198.51.100.2', SERVER];
    for (let i = 0; i < 16; i++) {
      const t = spans[i % spans.length]!;
      const serverId = servers[(i >> 1) % servers.length]!;
      const m = buildReply(req, { type: MessageType.OFFER, serverId, yiaddr: '198.51.100.100', subnet, times: t });
      const u32 = (v: number) => v.toString(16).padStart(8, '0');
      expect([value(m, 54), value(m, 51), value(m, 58), value(m, 59)])
        .toEqual([Buffer.from(serverId.split('.').map(Number)).toString('hex'), u32(t.lease), u32(t.renewal), u32(t.rebinding)]);
    }
  });

  it('a NAK: yiaddr and ciaddr 0, only 53, 54 and 56 (no lease or configured options); relayed: broadcast bit', () => {
    const direct = buildReply(request({ ciaddr: '198.51.100.100' }, undefined, MessageType.REQUEST), { type: MessageType.NAK, serverId: SERVER, yiaddr: '198.51.100.100', subnet, times, message: 'expired' });
    expect(direct.yiaddr).toBe('0.0.0.0');
    expect(direct.ciaddr).toBe('0.0.0.0');
    expect(codes(direct)).toEqual([53, 54, 56]);
    expect(direct.flags).toBe(0);
    const relayed = buildReply(request({}, { mac: '02:00:5e:10:00:52', giaddr: '203.0.113.1' }, MessageType.REQUEST), { type: MessageType.NAK, serverId: SERVER });
    expect(relayed.flags & BROADCAST_FLAG).toBe(BROADCAST_FLAG);
    expect(relayed.giaddr).toBe('203.0.113.1');
  });

  it('keeps the request\'s broadcast bit, giaddr, xid and chaddr; INFORM keeps ciaddr and has no lease times', () => {
    const req = request({ flags: BROADCAST_FLAG, xid: 4242 }, { mac: '02:00:5e:10:00:53', giaddr: '203.0.113.1' });
    const reply = offer(req);
    expect([reply.flags, reply.giaddr, reply.xid]).toEqual([BROADCAST_FLAG, '203.0.113.1', 4242]);
    expect(reply.chaddr).toEqual(req.chaddr);
    const inform = buildReply(request({ ciaddr: '198.51.100.60' }, undefined, MessageType.INFORM), { type: MessageType.INFORM, serverId: SERVER, subnet });
    expect(inform.ciaddr).toBe('198.51.100.60');
    expect(inform.yiaddr).toBe('0.0.0.0');
    expect(codes(inform).filter((c) => c === 51 || c === 58 || c === 59)).toEqual([]);
    expect(getOption(inform, 53)?.[0]).toBe(MessageType.ACK);
  });

  it('encodes 119 (RFC 3397) and 121 (RFC 3442) so they decode to the configured values', () => {
    const bytes = fitReply(offer(request({ prl: [119, 121], maxSize: 1500 })), 1500 - 28, [119, 121]).data;
    const back = decode(bytes);
    expect(back.ok).toBe(true);
    if (!back.ok) return;
    const value = (code: number) => decodeOptionValue(findOptionDef(code)!, getOption(back.msg, code)!);
    expect(value(119)).toEqual({ ok: true, value: SEARCH });
    expect(value(121)).toEqual({ ok: true, value: ROUTES });
  });
});

describe('option 57', () => {
  it('counts the IP datagram: 576 floor, below-minimum values raised to it, larger ones honoured', () => {
    expect(maxReplySize(request())).toBe(548);
    expect(maxReplySize(request({ maxSize: 300 }))).toBe(548);
    expect(maxReplySize(request({ maxSize: 1500 }))).toBe(1472);
  });

  it('fits 576 with overload alone when it can: every requested option kept', () => {
    const prl = [1, 3, 6, 15, 121, 42, 119, 66];
    const message = offer(request({ prl, maxSize: 576 }));
    const bytes = fitReply(message, 548, prl).data;
    expect(bytes.length).toBeLessThanOrEqual(548);
    const back = decode(bytes);
    if (!back.ok) throw back.error;
    expect(codes(back.msg)).toEqual(codes(message));
    // More than the 308-byte options field holds: option 52 put the rest into file and sname.
    expect(message.options.reduce((n, o) => n + 2 + o.data.length, 0)).toBeGreaterThan(548 - 240);
    expect(bytes.subarray(240).includes(Buffer.from([52, 1]))).toBe(true);
  });

  it('fits 576 with overload, dropping the least wanted (last requested) options first, never the essential', () => {
    const prl = [1, 3, 6, 15, 224, 42, 225, 226];
    const message = offer(request({ prl, maxSize: 576 }));
    const bytes = fitReply(message, 548, prl).data;
    expect(bytes.length).toBeLessThanOrEqual(548);
    const back = decode(bytes);
    if (!back.ok) throw back.error;
    const kept = codes(back.msg);
    for (const code of PROTECTED_OPTIONS) if (getOption(message, code) !== undefined) expect(kept).toContain(code);
    const requestedKept = prl.filter((c) => kept.includes(c));
    // What is kept is a prefix of option 55 (1 and 3 also being sent unasked): the tail went first.
    expect(requestedKept).toEqual(prl.slice(0, requestedKept.length));
    expect(requestedKept.length).toBeLessThan(prl.length);
    expect(kept).toContain(224);
    // Overload was used before dropping: more options fit than the 308-byte options field alone holds.
    const sent = message.options.filter((o) => kept.includes(o.code)).reduce((n, o) => n + 2 + o.data.length, 0);
    expect(sent).toBeGreaterThan(548 - 240);
  });

  it('drops what the client did not ask for first, then what it asked for from the end of option 55; never 53, 54, 51, 58, 59, 1, 3, 82', () => {
    const options = [53, 54, 51, 58, 59, 1, 3, 6, 15, 42, 250, 61, 82].map((code) => ({ code, data: Buffer.alloc(1) }));
    expect(dropOrder(options, [42, 1, 6, 3, 15])).toEqual([61, 250, 15, 6, 42]);
  });

  it('a 255-byte client identifier and a 255-byte option 82 (a packet generator): 61 goes, the answer is sent', () => {
    const clientId = Buffer.alloc(255, 1);
    const agent = Buffer.alloc(255, 2);
    const prl = [1, 3, 6, 15];
    const req = request({ prl, extra: [{ code: 82, data: agent }] }, { mac: '02:00:5e:10:00:54', clientId, giaddr: '203.0.113.1' });
    const fitted = fitReply(offer(req), 548, prl);
    expect(fitted.oversize).toBe(false);
    expect(fitted.data.length).toBeLessThanOrEqual(548);
    // 61 is not protected and was not asked for: it goes first; then the asked-for ones from the end, as needed.
    expect(fitted.dropped[0]).toBe(61);
    const back = decode(fitted.data);
    if (!back.ok) throw back.error;
    expect(getOption(back.msg, 82)).toEqual(agent);
    for (const code of [53, 54, 51, 58, 59, 1, 3]) expect(getOption(back.msg, code)).toBeDefined();
  });

  it('keeps a long router list (option 3), dropping by priority instead', () => {
    const routers = Array.from({ length: 40 }, (_, i) => `198.51.100.${i + 1}`);
    const big = structuredClone(wire);
    big.subnets[0]!['router'] = routers;
    const withRouters = compile(big).subnets[0]!;
    const prl = [1, 3, 6, 15, 224];
    const req = request({ prl, extra: [{ code: 82, data: Buffer.alloc(255, 2) }] }, { mac: '02:00:5e:10:00:55', clientId: Buffer.alloc(255, 1), giaddr: '203.0.113.1' });
    const message = buildReply(req, { type: MessageType.OFFER, serverId: SERVER, yiaddr: '198.51.100.100', subnet: withRouters, times });
    const fitted = fitReply(message, 548, prl);
    expect(fitted.oversize).toBe(false);
    const back = decode(fitted.data);
    if (!back.ok) throw back.error;
    expect(getOption(back.msg, 3)?.length).toBe(4 * routers.length);
    // 61 (not asked for), then 224 (asked for last) were enough: 6 and 15, asked for earlier, stay.
    expect(fitted.dropped).toEqual([61, 224]);
    for (const code of [6, 15]) expect(getOption(back.msg, code)).toBeDefined();
  });

  it('when even the protected options cannot fit (a 600-byte option 82), the answer still goes, whole', () => {
    const agent = Buffer.alloc(600, 3);
    const req = request({ extra: [{ code: 82, data: agent }] }, { mac: '02:00:5e:10:00:56', giaddr: '203.0.113.1' });
    const fitted = fitReply(offer(req), 548, [1, 3, 6, 15]);
    expect(fitted.oversize).toBe(true);
    const back = decode(fitted.data);
    if (!back.ok) throw back.error;
    expect(getOption(back.msg, 82)).toEqual(agent);
    expect(getOption(back.msg, 53)?.[0]).toBe(MessageType.OFFER);
  });
});
