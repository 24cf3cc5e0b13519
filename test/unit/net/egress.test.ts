// Reply routing (RFC 2131 §4.1) and which replies are pinned to the receiving interface.
import { describe, expect, it } from 'vitest';
import { MessageType, type DhcpMessage } from '../../../src/codec/types.js';
import { outbound, replyOutbound, replyRoute } from '../../../src/net/egress.js';
import type { Inbound } from '../../../src/net/types.js';
import { clientMessage } from '../../helpers/test-client.js';
import { ETH1 } from './helpers.js';

const ports = { server: 67, client: 68 };
const client = { mac: '02:00:5e:10:00:01' };
const inbound: Inbound = { data: Buffer.alloc(0), from: { address: '0.0.0.0', port: 68 }, iface: ETH1, broadcast: true, receivedAt: 0 };
const replyTo = (request: DhcpMessage, yiaddr = '198.51.100.150'): DhcpMessage => ({ ...request, op: 2, yiaddr });
const data = Buffer.from('reply');

describe('reply routing', () => {
  it('unicasts to chaddr and yiaddr through the receiving interface when the broadcast flag is clear', () => {
    const request = clientMessage(client, MessageType.DISCOVER);
    const route = replyRoute(MessageType.OFFER, replyTo(request), request, ports, true);
    expect(route).toEqual({ to: { address: '198.51.100.150', port: 68 }, hwAddress: '02:00:5e:10:00:01' });
    expect(outbound(data, route, inbound, '198.51.100.1')).toMatchObject({ ifaceName: 'adn-s1', source: '198.51.100.1', hwAddress: '02:00:5e:10:00:01' });
  });

  it('broadcasts through the receiving interface when the flag is set, or unicast to a MAC is impossible', () => {
    const flagged = clientMessage(client, MessageType.DISCOVER, { flags: 0x8000 });
    const plain = clientMessage(client, MessageType.DISCOVER);
    for (const route of [replyRoute(MessageType.OFFER, replyTo(flagged), flagged, ports, true), replyRoute(MessageType.OFFER, replyTo(plain), plain, ports, false)]) {
      expect(route).toEqual({ to: { address: '255.255.255.255', port: 68 } });
      expect(outbound(data, route, inbound, undefined).ifaceName).toBe('adn-s1');
    }
  });

  it('sends replies to a relay or to ciaddr by the routing table, not pinned to the receiving interface', () => {
    const relayed = clientMessage({ ...client, giaddr: '198.19.1.1' }, MessageType.DISCOVER);
    const toRelay = replyRoute(MessageType.OFFER, replyTo(relayed), relayed, ports, true);
    expect(toRelay).toEqual({ to: { address: '198.19.1.1', port: 67 } });
    expect(outbound(data, toRelay, inbound, '198.51.100.1')).toEqual({ data, to: toRelay.to, source: '198.51.100.1' });
    const renewing = clientMessage(client, MessageType.REQUEST, { ciaddr: '198.51.100.150' });
    const toClient = replyRoute(MessageType.ACK, replyTo(renewing), renewing, ports, true);
    expect(toClient).toEqual({ to: { address: '198.51.100.150', port: 68 } });
    expect(outbound(data, toClient, inbound, undefined).ifaceName).toBeUndefined();
  });

  it('broadcasts a NAK to a directly attached client whatever its flag (RFC 2131 §4.3.2)', () => {
    const request = clientMessage(client, MessageType.REQUEST, { requested: '198.51.100.150' });
    const route = replyRoute(MessageType.NAK, replyTo(request, '0.0.0.0'), request, ports, true);
    expect(route).toEqual({ to: { address: '255.255.255.255', port: 68 } });
    expect(outbound(data, route, inbound, undefined).ifaceName).toBe('adn-s1');
  });
});

describe('replyOutbound: replyRoute then outbound in one', () => {
  it('routes every kind of reply as replyRoute and outbound do', () => {
    const requests = [
      clientMessage(client, MessageType.DISCOVER),
      clientMessage(client, MessageType.DISCOVER, { flags: 0x8000 }),
      clientMessage({ ...client, giaddr: '198.19.1.1' }, MessageType.DISCOVER),
      clientMessage(client, MessageType.REQUEST, { ciaddr: '198.51.100.150' }),
      clientMessage(client, MessageType.REQUEST, { requested: '198.51.100.150' }),
      clientMessage({ ...client, giaddr: '198.19.1.1' }, MessageType.REQUEST, { ciaddr: '198.51.100.150' }),
    ];
    for (const request of requests) {
      for (const type of [MessageType.OFFER, MessageType.ACK, MessageType.NAK]) {
        for (const yiaddr of ['198.51.100.150', '0.0.0.0']) {
          for (const canUnicast of [true, false]) {
            const reply = replyTo(request, yiaddr);
            const expected = outbound(data, replyRoute(type, reply, request, ports, canUnicast), inbound, '198.51.100.1');
            expect(replyOutbound(data, type, reply, request, ports, canUnicast, inbound, '198.51.100.1')).toEqual(expected);
          }
        }
      }
    }
  });

  it('gives consecutive replies to one relay the same endpoint object (only read), and a new one for another', () => {
    const relayed = clientMessage({ ...client, giaddr: '198.19.1.1' }, MessageType.DISCOVER);
    const first = replyOutbound(data, MessageType.OFFER, replyTo(relayed), relayed, ports, true, inbound, undefined);
    const second = replyOutbound(data, MessageType.OFFER, replyTo(relayed), relayed, ports, true, inbound, undefined);
    expect(second.to).toBe(first.to);
    const other = clientMessage({ ...client, giaddr: '198.19.2.1' }, MessageType.DISCOVER);
    const third = replyOutbound(data, MessageType.OFFER, replyTo(other), other, ports, true, inbound, undefined);
    expect(third.to).toEqual({ address: '198.19.2.1', port: 67 });
    expect(first.to).toEqual({ address: '198.19.1.1', port: 67 });
  });
});
