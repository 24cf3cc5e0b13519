// Subnet selection (RFC 2131 §4.3.1) and the server identifier per receiving interface, on a config with two
// directly attached segments (one interface carrying two subnets) and one relayed subnet.
import { describe, expect, it } from 'vitest';
import { MessageType } from '../../../src/codec/types.js';
import type { Inbound, InterfaceInfo } from '../../../src/net/types.js';
import { selectSubnet } from '../../../src/server/subnet-select.js';
import { serverIdResolver } from '../../../src/server/server-identity.js';
import { clientMessage } from '../../helpers/test-client.js';
import { compile } from '../../helpers/test-server.js';

const config = compile({
  interfaces: ['lab0', 'lab1'],
  store: { kind: 'memory' },
  subnets: [
    // Found through lab0's address: no `interface` needed.
    { subnet: '198.51.100.0/24', pools: ['198.51.100.100-198.51.100.199'] },
    { subnet: '203.0.113.0/25', interface: 'lab1', pools: ['203.0.113.10-203.0.113.99'] },
    { subnet: '203.0.113.128/25', interface: 'lab1', pools: ['203.0.113.200-203.0.113.250'] },
    { subnet: '198.19.1.0/24', pools: ['198.19.1.100-198.19.1.199'] },
  ],
});
const LAB0: InterfaceInfo = { name: 'lab0', index: 2, mac: '02:00:00:00:00:01', addresses: [{ address: '198.51.100.1', prefixLength: 24 }] };
const LAB1: InterfaceInfo = {
  name: 'lab1', index: 3, mac: '02:00:00:00:00:02',
  // The first address belongs to no served subnet: the server id must still come from the client's subnet.
  addresses: [{ address: '198.19.3.1', prefixLength: 24 }, { address: '203.0.113.129', prefixLength: 25 }, { address: '203.0.113.1', prefixLength: 25 }],
};
const client = { mac: '02:00:5e:10:00:01' };
const inbound = (over: Partial<Inbound>): Inbound => ({ data: Buffer.alloc(0), from: { address: '0.0.0.0', port: 68 }, receivedAt: 0, ...over });
const broadcastOn = (iface: InterfaceInfo) => inbound({ iface, broadcast: true, localAddress: '255.255.255.255' });
const cidr = (s: { cidr: string } | undefined) => s?.cidr;

describe('subnet selection per receiving interface', () => {
  it('gives each interface its own subnet: by name, or by the interface address', () => {
    const discover = clientMessage(client, MessageType.DISCOVER);
    expect(cidr(selectSubnet(config, discover, broadcastOn(LAB0)))).toBe('198.51.100.0/24');
    expect(cidr(selectSubnet(config, discover, broadcastOn(LAB1)))).toBe('203.0.113.0/25');
  });

  it('on an interface with several subnets, keeps the client in the one it names (requested address, ciaddr)', () => {
    const asks = clientMessage(client, MessageType.DISCOVER, { requested: '203.0.113.210' });
    expect(cidr(selectSubnet(config, asks, broadcastOn(LAB1)))).toBe('203.0.113.128/25');
    const rebinding = clientMessage(client, MessageType.REQUEST, { ciaddr: '203.0.113.201' });
    expect(cidr(selectSubnet(config, rebinding, broadcastOn(LAB1)))).toBe('203.0.113.128/25');
    // An address from another link does not move the client there (the handler NAKs: wrong network).
    const moved = clientMessage(client, MessageType.REQUEST, { requested: '198.51.100.150' });
    expect(cidr(selectSubnet(config, moved, broadcastOn(LAB1)))).toBe('203.0.113.0/25');
  });

  it('selects by giaddr for relayed requests, wherever they arrive', () => {
    const relayed = clientMessage({ ...client, giaddr: '198.19.1.1' }, MessageType.DISCOVER);
    expect(cidr(selectSubnet(config, relayed, inbound({ broadcast: false, localAddress: '198.18.0.1' })))).toBe('198.19.1.0/24');
    expect(cidr(selectSubnet(config, relayed, broadcastOn(LAB0)))).toBe('198.19.1.0/24');
  });

  it("selects a renewing client's subnet by ciaddr, even over a link that is not its own", () => {
    const renew = clientMessage(client, MessageType.REQUEST, { ciaddr: '198.19.1.150' });
    expect(cidr(selectSubnet(config, renew, inbound({ broadcast: false, localAddress: '198.18.0.1' })))).toBe('198.19.1.0/24');
    expect(cidr(selectSubnet(config, renew, inbound({ iface: LAB0, broadcast: false, localAddress: '198.51.100.1' })))).toBe('198.19.1.0/24');
  });

  it('has no subnet for a direct request unicast to us over an unlisted interface', () => {
    const discover = clientMessage(client, MessageType.DISCOVER);
    expect(selectSubnet(config, discover, inbound({ broadcast: false, localAddress: '198.18.0.1' }))).toBeUndefined();
  });

  it('without interface information (dgram), serves the first directly attached subnet', () => {
    const discover = clientMessage(client, MessageType.DISCOVER);
    expect(cidr(selectSubnet(config, discover, inbound({})))).toBe('203.0.113.0/25');
  });
});

describe('server identifier per receiving interface', () => {
  const local = () => ['198.51.100.1', '198.19.3.1', '203.0.113.129', '203.0.113.1', '198.18.0.1'];
  const resolve = serverIdResolver(() => config, local);
  const subnet = (c: string) => config.subnets.find((s) => s.cidr === c);

  it("is the receiving interface's address inside the client's subnet", () => {
    expect(resolve(subnet('198.51.100.0/24'), broadcastOn(LAB0))).toBe('198.51.100.1');
    expect(resolve(subnet('203.0.113.0/25'), broadcastOn(LAB1))).toBe('203.0.113.1');
    expect(resolve(subnet('203.0.113.128/25'), broadcastOn(LAB1))).toBe('203.0.113.129');
  });

  it('is the address a relay unicast to when none of ours is in the relayed subnet', () => {
    expect(resolve(subnet('198.19.1.0/24'), inbound({ broadcast: false, localAddress: '198.18.0.1' }))).toBe('198.18.0.1');
  });

  it('is the configured serverId whatever the interface', () => {
    const fixed = serverIdResolver(() => ({ ...config, serverId: '198.51.100.1' }), local);
    expect(fixed(subnet('203.0.113.0/25'), broadcastOn(LAB1))).toBe('198.51.100.1');
  });
});
