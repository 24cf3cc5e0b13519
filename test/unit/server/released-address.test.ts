// A released address is free for whoever asks for it (RFC 2131 §4.3.1: a requested address is offered when it is
// valid and not allocated; a released one is not). Lease affinity is only a preference when nobody else asks.
import { afterEach, describe, expect, it } from 'vitest';
import { MessageType } from '../../../src/codec/types.js';
import { openMemoryStore } from '../../../src/store/open.js';
import { clientMessage, type ClientSpec } from '../../helpers/test-client.js';
import { bindClient, replyType, SERVER_ID, startTestServer, type TestServer } from '../../helpers/test-server.js';

const A = { mac: '02:00:5e:10:02:0a' };
const B = { mac: '02:00:5e:10:02:0b' };

describe('a released address', () => {
  let server: TestServer | undefined;
  afterEach(async () => {
    await server?.stop();
    server = undefined;
  });

  async function release(s: TestServer, client: ClientSpec, ip: string): Promise<void> {
    await s.exchange(clientMessage(client, MessageType.RELEASE, { ciaddr: ip, serverId: SERVER_ID }), { waitMs: 50 });
    expect(s.app.lease(ip)?.state).toBe('released');
  }

  async function discover(s: TestServer, client: ClientSpec, requested?: string): Promise<string> {
    const offer = await s.exchange(clientMessage(client, MessageType.DISCOVER, requested === undefined ? {} : { requested }));
    expect(offer !== undefined && replyType(offer.message)).toBe(MessageType.OFFER);
    return offer!.message.yiaddr;
  }

  it('is offered to another client that asks for it (option 50), and that client can bind it', async () => {
    server = await startTestServer(await openMemoryStore());
    const { ip: x } = await bindClient(server, A);
    await release(server, A, x);
    expect(await discover(server, B, x)).toBe(x);
    const ack = await server.exchange(clientMessage(B, MessageType.REQUEST, { requested: x, serverId: SERVER_ID }));
    expect(replyType(ack!.message)).toBe(MessageType.ACK);
    // A comes back: X is B's now, so A gets another address (its affinity was only a preference).
    expect(await discover(server, A)).not.toBe(x);
  });

  it('is offered to a client whose earlier offer (made while it was taken) is still held: that offer is withdrawn', async () => {
    server = await startTestServer(await openMemoryStore());
    const { ip: x } = await bindClient(server, A);
    // B asks for X while A holds it: it is offered another address, Y, and keeps asking (a retransmitting client).
    const y = await discover(server, B, x);
    expect(y).not.toBe(x);
    await release(server, A, x);
    expect(await discover(server, B, x)).toBe(x);
    expect(server.app.lease(y)?.state).toBe('reclaimed');
    expect(server.app.isTaken(y)).toBe(false);
  });

  it('goes back to its previous client when nobody else asks for it (lease affinity)', async () => {
    server = await startTestServer(await openMemoryStore());
    const { ip: x } = await bindClient(server, A);
    await bindClient(server, B);
    await release(server, A, x);
    expect(await discover(server, A)).toBe(x);
  });

  it('a client asking for a free address gets it rather than its own previous one', async () => {
    server = await startTestServer(await openMemoryStore());
    const { ip: x } = await bindClient(server, A);
    const { ip: z } = await bindClient(server, B);
    await release(server, A, x);
    await release(server, B, z);
    expect(await discover(server, B, x)).toBe(x);
    // Z, B's previous address, stays free for whoever comes next.
    expect(server.app.isTaken(z)).toBe(false);
  });

  it('a bound client keeps its binding even when it asks for another address (its current binding comes first)', async () => {
    server = await startTestServer(await openMemoryStore());
    const { ip: x } = await bindClient(server, A);
    const { ip: y } = await bindClient(server, B);
    await release(server, A, x);
    expect(await discover(server, B, x)).toBe(y);
  });
});
