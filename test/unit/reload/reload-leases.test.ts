// What a reload does to leases (RFC 2131 §4.3.2 after a config change): nothing stored is lost; bindings a new
// config no longer allows are NAKed at the client's next renewal or rebind; offers it no longer allows are
// withdrawn; a reservation added for a client holding another address takes effect at its next renewal.
import { describe, expect, it } from 'vitest';
import { getOption } from '../../../src/codec/index.js';
import { MessageType } from '../../../src/codec/types.js';
import { openMemoryStore } from '../../../src/store/open.js';
import { clientMessage } from '../../helpers/test-client.js';
import { SERVER_ID, replyType } from '../../helpers/test-server.js';
import { labWire, startReloadServer, type ReloadServer } from './helpers.js';

async function bind(s: ReloadServer, client: { mac: string; giaddr?: string }): Promise<string> {
  const offer = await s.exchange(clientMessage(client, MessageType.DISCOVER));
  const ip = offer!.message.yiaddr;
  const ack = await s.exchange(clientMessage(client, MessageType.REQUEST, { requested: ip, serverId: SERVER_ID }));
  expect(ack && replyType(ack.message)).toBe(MessageType.ACK);
  return ip;
}

const nakReason = (m: { options: readonly { code: number; data: Buffer }[] }) => getOption(m as never, 56)?.toString();

describe('reload and leases', () => {
  it('a removed subnet: its leases stay stored, renewal and rebind are NAKed (subnet-invalid), its offers withdrawn', async () => {
    const store = await openMemoryStore();
    const s = await startReloadServer(labWire(), { store });
    const bound = { mac: '02:00:5e:10:00:51', giaddr: '203.0.113.1' };
    const offered = { mac: '02:00:5e:10:00:52', giaddr: '203.0.113.1' };
    const ip = await bind(s, bound);
    const offer = await s.exchange(clientMessage(offered, MessageType.DISCOVER));
    const held = offer!.message.yiaddr;
    const next = labWire();
    next.subnets = [next.subnets[0]!];
    s.write(next);
    expect(await s.app.reload('signal')).toMatchObject({ result: 'reloaded', diff: { subnets: { removed: [2] } } });
    expect(s.app.isTaken(held)).toBe(false);
    expect(s.evts('lease.withdrawn')).toEqual([expect.objectContaining({ ip: held, reason: 'config-reloaded' })]);
    expect(s.app.lease(ip)?.state).toBe('bound');
    expect((await store.get(ip))?.state).toBe('bound');
    // RENEWING: unicast from the client's address, straight to us.
    const renew = await s.exchange(clientMessage({ mac: bound.mac }, MessageType.REQUEST, { ciaddr: ip }), { broadcast: false });
    expect(renew && replyType(renew.message)).toBe(MessageType.NAK);
    expect(nakReason(renew!.message)).toBe('subnet-invalid');
    // REBINDING: broadcast, through the relay whose giaddr no subnet holds now.
    const rebind = await s.exchange(clientMessage(bound, MessageType.REQUEST, { ciaddr: ip }));
    expect(rebind && replyType(rebind.message)).toBe(MessageType.NAK);
    expect(nakReason(rebind!.message)).toBe('subnet-invalid');
    // The subnet is gone: a new client behind that relay is not served.
    expect(await s.exchange(clientMessage(offered, MessageType.DISCOVER))).toBeUndefined();
    await s.stop();
  });

  it('a shrunk pool: a binding outside it is NAKed at renewal (address-invalid), one inside renews', async () => {
    const s = await startReloadServer(labWire());
    const a = await bind(s, { mac: '02:00:5e:10:00:61' });
    const b = await bind(s, { mac: '02:00:5e:10:00:62' });
    const next = labWire();
    next.subnets[0]!.pools = [{ start: a, end: a }];
    s.write(next);
    await s.app.reload('api');
    const keep = await s.exchange(clientMessage({ mac: '02:00:5e:10:00:61' }, MessageType.REQUEST, { ciaddr: a }), { broadcast: false });
    expect(keep && replyType(keep.message)).toBe(MessageType.ACK);
    const lose = await s.exchange(clientMessage({ mac: '02:00:5e:10:00:62' }, MessageType.REQUEST, { ciaddr: b }), { broadcast: false });
    expect(lose && replyType(lose.message)).toBe(MessageType.NAK);
    expect(nakReason(lose!.message)).toBe('address-invalid');
    await s.stop();
  });

  it('an offer whose address leaves the pools is withdrawn: its REQUEST is NAKed', async () => {
    const s = await startReloadServer(labWire());
    const client = { mac: '02:00:5e:10:00:63' };
    const offer = await s.exchange(clientMessage(client, MessageType.DISCOVER));
    const ip = offer!.message.yiaddr;
    const next = labWire();
    next.subnets[0]!.pools = [{ start: '198.51.100.150', end: '198.51.100.159' }];
    s.write(next);
    await s.app.reload('api');
    const reply = await s.exchange(clientMessage(client, MessageType.REQUEST, { requested: ip, serverId: SERVER_ID }));
    expect(reply && replyType(reply.message)).toBe(MessageType.NAK);
    const again = await s.exchange(clientMessage(client, MessageType.DISCOVER));
    expect(again?.message.yiaddr).toMatch(/^198\.51\.100\.15\d$/);
    await s.stop();
  });

  it('a reservation added for a client holding another address takes effect at its next renewal', async () => {
    const s = await startReloadServer(labWire());
    const client = { mac: '02:00:5e:10:00:64' };
    const old = await bind(s, client);
    const next = labWire();
    next.subnets[0]!.reservations = [...(next.subnets[0]!.reservations ?? []), { hwAddress: client.mac, address: '198.51.100.20' }];
    s.write(next);
    expect(await s.app.reload('signal')).toMatchObject({ diff: { reservations: { added: ['1/02:00:5e:10:00:64'] } } });
    const renew = await s.exchange(clientMessage(client, MessageType.REQUEST, { ciaddr: old }), { broadcast: false });
    expect(renew && replyType(renew.message)).toBe(MessageType.NAK);
    expect(await bind(s, client)).toBe('198.51.100.20');
    // The old binding is given up in the same write as the new one.
    expect(s.app.isTaken(old)).toBe(false);
    await s.stop();
  });

  it('a reservation whose address another client holds does not NAK the client it is for', async () => {
    const s = await startReloadServer(labWire());
    const holder = await bind(s, { mac: '02:00:5e:10:00:65' });
    const client = { mac: '02:00:5e:10:00:66' };
    const own = await bind(s, client);
    const next = labWire();
    next.subnets[0]!.reservations = [...(next.subnets[0]!.reservations ?? []), { hwAddress: client.mac, address: holder }];
    s.write(next);
    await s.app.reload('signal');
    const renew = await s.exchange(clientMessage(client, MessageType.REQUEST, { ciaddr: own }), { broadcast: false });
    expect(renew && replyType(renew.message)).toBe(MessageType.ACK);
    await s.stop();
  });
});
