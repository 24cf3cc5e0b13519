// The ICMP echo prober over a scripted addon (RFC 792 echo): requests carry our id, sequence and mark; a reply
// counts only from the probed address with our sequence (and our id, on a raw socket); silence ends at the
// timeout on the injected clock; send failures and a missing socket are results, never throws.
import { describe, expect, it } from 'vitest';
import { ManualClock } from '../../../src/clock.js';
import { echoRequest, parseEchoReply } from '../../../src/net/icmp-echo.js';
import { openIcmpProber } from '../../../src/net/icmp-prober.js';
import type { NativeBinding, RawDatagram, UdpHandle } from '../../../src/net/native-binding.js';
import { internetChecksum } from '../../../src/net/packet.js';
import { macIn } from '../../../src/net/neighbours.js';

function scriptedAddon(opts: { openResult?: number; sendResult?: number; noIcmp?: boolean } = {}) {
  const sent: { data: Buffer; address: string }[] = [];
  let onBatch: ((errno: number, batch: RawDatagram[]) => void) | undefined;
  let closed = 0;
  const handle = {} as UdpHandle;
  const binding = {
    udpSend: (_h: UdpHandle, data: Buffer, address: string) => {
      sent.push({ data: Buffer.from(data), address });
      return opts.sendResult ?? data.length;
    },
    udpClose: () => {
      closed++;
      return 0;
    },
    ...(opts.noIcmp ? {} : {
      icmpOpen: (_max: number, cb: (errno: number, batch: RawDatagram[]) => void) => {
        onBatch = cb;
        return opts.openResult ?? handle;
      },
    }),
  } as unknown as NativeBinding;
  /** The reply the probed host would send, as a raw socket delivers it (with a 20-byte IPv4 header). */
  const replyTo = (request: Buffer, from: string, patch: (icmp: Buffer) => void = () => {}): RawDatagram => {
    const icmp = Buffer.from(request);
    icmp[0] = 0;
    patch(icmp);
    const ip = Buffer.alloc(20);
    ip[0] = 0x45;
    return { data: Buffer.concat([ip, icmp]), address: from, port: 0, ifindex: 0, localAddress: '' };
  };
  return { binding, sent, replyTo, deliver: (d: RawDatagram[]) => onBatch!(0, d), closed: () => closed };
}

const settle = () => new Promise((r) => setImmediate(r));

describe('ICMP echo packets', () => {
  it('a request is an echo (type 8) with id, sequence, our mark and a valid checksum; its reply parses back', () => {
    const request = echoRequest({ id: 0x1234, seq: 7 });
    expect([request[0], request[1], request.readUInt16BE(4), request.readUInt16BE(6)]).toEqual([8, 0, 0x1234, 7]);
    expect(internetChecksum(request)).toBe(0);
    const reply = Buffer.from(request);
    reply[0] = 0;
    // A ping socket delivers the ICMP message alone (its kernel owns the id); a raw socket the IP header too.
    expect(parseEchoReply(reply)).toEqual({ id: 0x1234, seq: 7, kernelId: true });
    const ip = Buffer.alloc(24);
    ip[0] = 0x46; // IHL 6: an options word
    expect(parseEchoReply(Buffer.concat([ip, reply]))).toEqual({ id: 0x1234, seq: 7, kernelId: false });
  });

  it('anything else is not ours: an echo request, a truncated reply, a reply without our mark', () => {
    const request = echoRequest({ id: 1, seq: 1 });
    expect(parseEchoReply(request)).toBeUndefined();
    const reply = Buffer.from(request);
    reply[0] = 0;
    expect(parseEchoReply(reply.subarray(0, 12))).toBeUndefined();
    reply[10] = reply[10]! ^ 0xff;
    expect(parseEchoReply(reply)).toBeUndefined();
    expect(parseEchoReply(Buffer.alloc(0))).toBeUndefined();
  });

  it("reads who answered from the kernel's ARP table (complete entries only)", () => {
    const table = [
      'IP address       HW type     Flags       HW address            Mask     Device',
      '198.51.100.100   0x1         0x2         02:00:5e:10:0c:99     *        lab0',
      '198.51.100.101   0x1         0x0         00:00:00:00:00:00     *        lab0',
    ].join('\n');
    expect(macIn(table, '198.51.100.100')).toBe('02:00:5e:10:0c:99');
    expect(macIn(table, '198.51.100.101')).toBeUndefined();
    expect(macIn(table, '198.51.100.102')).toBeUndefined();
  });
});

describe('ICMP prober', () => {
  it('an answer from the probed address with our id and sequence is a reply, with the MAC', async () => {
    const addon = scriptedAddon();
    const prober = openIcmpProber({ clock: new ManualClock(), binding: addon.binding, macOf: async () => '02:00:5e:10:0c:99' });
    const result = prober.probe('198.51.100.100', 500);
    expect(addon.sent[0]!.address).toBe('198.51.100.100');
    addon.deliver([addon.replyTo(addon.sent[0]!.data, '198.51.100.100')]);
    expect(await result).toEqual({ kind: 'reply', from: '198.51.100.100', mac: '02:00:5e:10:0c:99' });
  });

  it('replies from another address, with another id or sequence, do not end a probe; silence ends at the timeout', async () => {
    const clock = new ManualClock();
    const addon = scriptedAddon();
    const prober = openIcmpProber({ clock, binding: addon.binding, macOf: async () => undefined });
    let result: unknown;
    void prober.probe('198.51.100.100', 500).then((r) => (result = r));
    const request = addon.sent[0]!.data;
    addon.deliver([
      addon.replyTo(request, '198.51.100.7'),
      addon.replyTo(request, '198.51.100.100', (icmp) => icmp.writeUInt16BE((icmp.readUInt16BE(4) + 1) & 0xffff, 4)),
      addon.replyTo(request, '198.51.100.100', (icmp) => icmp.writeUInt16BE((icmp.readUInt16BE(6) + 1) & 0xffff, 6)),
    ]);
    clock.advance(499);
    await settle();
    expect(result).toBeUndefined();
    clock.advance(1);
    await settle();
    expect(result).toEqual({ kind: 'silent' });
  });

  it('probes in flight are told apart by sequence number', async () => {
    const addon = scriptedAddon();
    const clock = new ManualClock();
    const prober = openIcmpProber({ clock, binding: addon.binding, macOf: async () => undefined });
    const a = prober.probe('198.51.100.100', 500);
    const b = prober.probe('198.51.100.101', 500);
    addon.deliver([addon.replyTo(addon.sent[1]!.data, '198.51.100.101')]);
    expect(await b).toMatchObject({ kind: 'reply', from: '198.51.100.101' });
    clock.advance(500);
    expect(await a).toEqual({ kind: 'silent' });
  });

  it('a failed send is an error result; close ends the probes in flight and the socket', async () => {
    const failing = scriptedAddon({ sendResult: -101 });
    const p1 = openIcmpProber({ clock: new ManualClock(), binding: failing.binding });
    expect(await p1.probe('203.0.113.9', 500)).toMatchObject({ kind: 'error', error: { code: 'DHCPD_ERR_NET_SEND' } });
    const addon = scriptedAddon();
    const p2 = openIcmpProber({ clock: new ManualClock(), binding: addon.binding });
    const pending = p2.probe('198.51.100.100', 500);
    p2.close();
    expect(await pending).toEqual({ kind: 'silent' });
    expect(addon.closed()).toBe(1);
    expect(await p2.probe('198.51.100.100', 500)).toMatchObject({ kind: 'error' });
  });

  it('no ICMP socket (EPERM) or an addon without icmpOpen: DHCPD_ERR_NET_ICMP_UNAVAILABLE', () => {
    expect(() => openIcmpProber({ clock: new ManualClock(), binding: scriptedAddon({ openResult: -1 }).binding }))
      .toThrow(expect.objectContaining({ code: 'DHCPD_ERR_NET_ICMP_UNAVAILABLE' }));
    expect(() => openIcmpProber({ clock: new ManualClock(), binding: scriptedAddon({ noIcmp: true }).binding }))
      .toThrow(expect.objectContaining({ code: 'DHCPD_ERR_NET_ICMP_UNAVAILABLE', message: expect.stringContaining('icmpOpen') }));
  });
});
