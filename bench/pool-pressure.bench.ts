// Cost of address allocation as the pool fills: DORA + RELEASE per second with the pool empty and 99 % used, and
// DISCOVERs per second to an exhausted pool (each one dropped), the phases in the order empty, 99 %, 99 %, empty. The daemon's store: LevelDB in a temporary directory,
// filled, closed and opened again as after a restart (from its snapshot), each ACK fsynced. STORE=memory uses
// memory-level instead, whose red-black tree costs more the more it holds: at 99 % it measured that tree more
// than the allocation (its share of the profile 27 % against 20 %). Bounded: N clients per phase, one 65,024-address
// pool, one temporary directory per phase (removed).
// usage: [STORE=memory] npx tsx bench/pool-pressure.bench.ts [clients=20000]
import { decode, intToIp, ipToInt } from '../src/codec/index.js';
import { MessageType } from '../src/codec/types.js';
import type { LeaseRecord } from '../machines/lease.types.js';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openLevelStore, openMemoryStore } from '../src/store/open.js';
import { SNAPSHOT_FILE } from '../src/store/snapshots.js';
import type { LeaseStore, LeaseWrite } from '../src/store/types.js';
import { clientMessage } from '../test/helpers/test-client.js';
import { macOf, startDriver, type Driver } from './lib/driver.js';

const clients = Number(process.argv[2] ?? 20_000);
const window = 256;
const POOL = { start: '198.19.1.0', end: '198.19.255.254' };
const poolStart = ipToInt(POOL.start);
const poolSize = ipToInt(POOL.end) - poolStart + 1;
const wire = { serverId: '198.19.0.254', subnets: [{ id: 1, subnet: '198.19.0.0/16', pools: [POOL], router: ['198.19.0.1'] }] };
const giaddr = '198.19.0.1';
let xid = 1;

/** A bound lease held by a client that is not part of the measured traffic. */
function boundRecord(ip: string, i: number): LeaseRecord {
  const now = Date.now();
  const day = 86_400_000;
  return {
    state: 'bound',
    context: { ip, subnetId: 1, clientKey: `hw:1:fill-${i}`, hwAddress: '02:ff:00:00:00:01', offerExpiresAt: now, boundAt: now,
      renewAt: now + day / 2, rebindAt: now + day * 0.875, expiresAt: now + day, graceUntil: 0, probationUntil: 0, changedAt: now },
    timers: [{ event: 'lease.renew', at: now + day / 2 }],
  };
}

async function driverAt(fraction: number): Promise<Driver> {
  // Spread the used addresses over the pool (every k-th one stays free), as churn leaves them; stored before the
  // daemon starts, which restores them as it would after a restart.
  const dir = process.env.STORE === 'memory' ? undefined : mkdtempSync(join(tmpdir(), 'adpool-'));
  if (dir !== undefined) scratch.push(dir);
  const options = dir === undefined ? {} : { snapshotPath: join(dir, SNAPSHOT_FILE) };
  const store = dir === undefined ? await openMemoryStore() : await openLevelStore(dir, options);
  const used = Math.round(poolSize * fraction);
  const free = poolSize - used;
  const stride = free > 0 ? poolSize / free : Infinity;
  let nextFreeAt = stride / 2;
  const writes: LeaseWrite[] = [];
  for (let o = 0, n = 0; o < poolSize && n < used; o++) {
    if (o >= nextFreeAt) { nextFreeAt += stride; continue; }
    writes.push({ kind: 'put', record: boundRecord(intToIp(poolStart + o), n++) });
  }
  await store.write(writes);
  let serving: LeaseStore = store;
  if (dir !== undefined) {
    await store.close();
    serving = await openLevelStore(dir, options);
  }
  return startDriver(wire, serving);
}

async function doraRelease(driver: Driver, i: number): Promise<void> {
  const client = { mac: macOf(i), giaddr };
  const offer = decode((await driver.send(clientMessage(client, MessageType.DISCOVER, { xid: xid++ }))).data);
  if (!offer.ok) throw offer.error;
  const ip = offer.msg.yiaddr;
  await driver.send(clientMessage(client, MessageType.REQUEST, { xid: xid++, requested: ip, serverId: '198.19.0.254' }));
  driver.fire(clientMessage(client, MessageType.RELEASE, { xid: xid++, ciaddr: ip, serverId: '198.19.0.254' }));
}

async function rate(label: string, driver: Driver): Promise<number> {
  const start = performance.now();
  let next = 0;
  await Promise.all(Array.from({ length: window }, async () => {
    while (next < clients) await doraRelease(driver, next++);
  }));
  const perSecond = clients / ((performance.now() - start) / 1000);
  console.log(`${label.padEnd(40)} ${perSecond.toFixed(0).padStart(7)} /s`);
  await driver.app.stop();
  return perSecond;
}

async function exhausted(): Promise<number> {
  const driver = await driverAt(1);
  const drops = () => driver.drops.get('pool-exhausted') ?? 0;
  const start = performance.now();
  for (let sent = 0; sent < clients; ) {
    for (let k = 0; k < window && sent < clients; k++, sent++) driver.fire(clientMessage({ mac: macOf(sent), giaddr }, MessageType.DISCOVER, { xid: xid++ }));
    while (drops() < sent) await new Promise((r) => setImmediate(r));
  }
  const perSecond = clients / ((performance.now() - start) / 1000);
  console.log(`${'DISCOVER to an exhausted pool (dropped)'.padEnd(40)} ${perSecond.toFixed(0).padStart(7)} /s`);
  await driver.app.stop();
  return perSecond;
}

const scratch: string[] = [];
process.on('exit', () => scratch.forEach((dir) => rmSync(dir, { recursive: true, force: true })));
// In the order empty, 99 %, 99 %, empty: whatever the later phases gain (the JIT's work done) or lose (a larger heap)
// falls on both alike.
const emptyRates: number[] = [];
const fullRates: number[] = [];
for (const fraction of [0, 0.99, 0.99, 0]) {
  const label = fraction === 0 ? 'DORA+RELEASE, pool empty' : 'DORA+RELEASE, pool 99 % used';
  (fraction === 0 ? emptyRates : fullRates).push(await rate(label, await driverAt(fraction)));
}
await exhausted();
const sum = (rates: number[]): number => rates.reduce((a, b) => a + b, 0);
console.log(`99 % used / empty: ${(sum(fullRates) / sum(emptyRates)).toFixed(2)}x (the two phases of each)`);
