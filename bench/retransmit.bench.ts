// Cost of a retransmitted REQUEST (same xid, same content): N clients bind (DORA), then each retransmits its REQUEST
// R times, W in flight; reports retransmissions answered per second and the response cache's counters. Level store
// (every decided ACK is synced, so a retransmission decided afresh costs a write). Bounded: N × R requests.
// usage: npx tsx bench/retransmit.bench.ts [clients=5000] [retransmits=4]
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { decode } from '../src/codec/index.js';
import { MessageType, type DhcpMessage } from '../src/codec/types.js';
import { openLevelStore } from '../src/store/open.js';
import { clientMessage } from '../test/helpers/test-client.js';
import { macOf, startDriver } from './lib/driver.js';

const clients = Number(process.argv[2] ?? 5_000);
const retransmits = Number(process.argv[3] ?? 4);
const window = 256;
const dir = mkdtempSync(join(tmpdir(), 'adretx-'));
const serverId = '198.19.0.254';
const driver = await startDriver({
  serverId, subnets: [{ subnet: '198.19.0.0/16', pools: [{ start: '198.19.1.0', end: '198.19.255.254' }], router: ['198.19.0.1'] }],
}, await openLevelStore(join(dir, 'db')));

const requests: DhcpMessage[] = [];
for (let i = 0; i < clients; i++) {
  const client = { mac: macOf(i), giaddr: '198.19.0.1' };
  const offer = decode((await driver.send(clientMessage(client, MessageType.DISCOVER, { xid: 2 * i + 1 }))).data);
  if (!offer.ok) throw offer.error;
  const request = clientMessage(client, MessageType.REQUEST, { xid: 2 * i + 2, requested: offer.msg.yiaddr, serverId });
  await driver.send(request);
  requests.push(request);
}
// Let the last exchanges end (their lanes close, their replies are kept) before the retransmissions.
await new Promise((r) => setTimeout(r, 200));
const start = performance.now();
let next = 0;
await Promise.all(Array.from({ length: window }, async () => {
  while (next < clients * retransmits) await driver.send({ ...requests[next++ % clients]!, secs: 4 });
}));
const seconds = (performance.now() - start) / 1000;
console.log(`${clients * retransmits} retransmitted REQUESTs in ${seconds.toFixed(2)} s = ${((clients * retransmits) / seconds).toFixed(0)}/s`);
console.log(JSON.stringify(driver.app.statistics().responseCache ?? 'no response cache'));
await driver.app.stop();
rmSync(dir, { recursive: true, force: true });
