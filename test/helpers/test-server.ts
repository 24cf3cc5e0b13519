// The lab daemon as most tests use it (a preset of test-daemon.ts), and the lab's client steps.
import { ManualClock } from '../../src/clock.js';
import { MessageType, type DhcpMessage } from '../../src/codec/types.js';
import type { LeaseStore } from '../../src/store/types.js';
import { LAB_CONFIG } from './lab-config.js';
import { clientMessage, type ClientSpec } from './test-client.js';
import { SERVER_ID, startTestDaemon, type TestDaemon } from './test-daemon.js';

export { LAB_CONFIG } from './lab-config.js';
export { MemoryLink, type Sent } from './memory-link.js';
export { compile, SERVER_ID } from './test-daemon.js';

/** The lab daemon, ready to serve, silent, on a fresh manual clock unless one is given. */
export type TestServer = TestDaemon;

export async function startTestServer(store: LeaseStore, wire: unknown = LAB_CONFIG, clock = new ManualClock()): Promise<TestServer> {
  const daemon = startTestDaemon({ store, wire, clock });
  await daemon.app.ready;
  return daemon;
}

/** Option 53 of a reply. */
export const replyType = (m: DhcpMessage): number | undefined => m.options.find((o) => o.code === 53)?.data[0];

/** DISCOVER, then a SELECTING REQUEST for the offered address; fails the test unless it ends in an ACK. */
export async function bindClient(s: TestServer, client: ClientSpec): Promise<{ client: ClientSpec; ip: string; ack: DhcpMessage }> {
  const offer = await s.exchange(clientMessage(client, MessageType.DISCOVER));
  if (offer === undefined || replyType(offer.message) !== MessageType.OFFER) throw new Error(`no OFFER for ${client.mac}`);
  const ip = offer.message.yiaddr;
  const ack = await s.exchange(clientMessage(client, MessageType.REQUEST, { requested: ip, serverId: SERVER_ID }));
  if (ack === undefined || replyType(ack.message) !== MessageType.ACK || ack.message.yiaddr !== ip) {
    throw new Error(`no ACK of ${ip} for ${client.mac}`);
  }
  return { client, ip, ack: ack.message };
}
