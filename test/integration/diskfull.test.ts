// Disk full (issue 5): the lease store on a small tmpfs; once the file system is full no lease is ACKed (no ACK
// without a durable write), the condition is reported (log evt, counter, health), INFORM is still answered, and
// after space is freed the daemon resumes by itself. Every ACK given is in the store afterwards. Needs root (mount).
import { execFileSync } from 'node:child_process';
import { appendFileSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Level } from 'level';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MessageType } from '../../src/codec/types.js';
import { LevelLeaseStore } from '../../src/store/level-store.js';
import { clientMessage } from '../helpers/test-client.js';
import { startTestDaemon, type TestDaemon } from '../helpers/test-daemon.js';
import { replyType } from '../helpers/test-server.js';
import { integrationSkip } from './harness/suite.js';

const skip = integrationSkip('diskfull');
const SERVER = '198.51.100.1';
const CLIENTS = 40;
const mac = (i: number) => `02:00:5e:20:00:${i.toString(16).padStart(2, '0')}`;
const WIRE = {
  serverId: SERVER, interfaces: ['lab0'], store: { kind: 'level', path: 'unused' }, logging: { level: 'silent' },
  subnets: [{ id: 1, subnet: '198.51.100.0/24', interface: 'lab0', pools: [{ start: '198.51.100.10', end: '198.51.100.200' }] }],
};

/** Fills the file system with a filler file until ENOSPC. */
function fill(file: string): void {
  const chunk = Buffer.alloc(4096, 0x55);
  for (let i = 0; i < 1_000_000; i++) {
    try {
      appendFileSync(file, chunk);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOSPC') return;
      throw error;
    }
  }
  throw new Error('the file system never filled');
}

function openStore(path: string): LevelLeaseStore {
  return new LevelLeaseStore(new Level<string, string>(path, { createIfMissing: true }), {
    location: path, reopenBackoff: { initialMs: 50, maxMs: 200, factor: 2, jitter: 0 },
  });
}

describe.skipIf(skip !== undefined)('disk full under the lease store', () => {
  let mnt = '';
  let mounted = false;
  let server: TestDaemon | undefined;
  const acked = new Map<string, string>();

  beforeAll(() => {
    mnt = mkdtempSync(join(tmpdir(), 'adt-diskfull-'));
    execFileSync('mount', ['-t', 'tmpfs', '-o', 'size=1m,mode=0700', 'adt-diskfull', mnt]);
    mounted = true;
  });

  afterAll(async () => {
    await server?.app.stop().catch(() => undefined);
    if (mounted) {
      try {
        execFileSync('umount', [mnt]);
      } catch {
        execFileSync('umount', ['-l', mnt]);
      }
    }
    rmSync(mnt, { recursive: true, force: true });
  });

  async function dora(i: number, opts: { waitMs?: number } = {}): Promise<'ack' | 'none'> {
    const client = { mac: mac(i) };
    const offer = await server!.exchange(clientMessage(client, MessageType.DISCOVER));
    if (offer === undefined) return 'none';
    const reply = await server!.exchange(
      clientMessage(client, MessageType.REQUEST, { requested: offer.message.yiaddr, serverId: SERVER }),
      { stepMs: 20, waitMs: opts.waitMs ?? 300 },
    );
    if (reply === undefined || replyType(reply.message) !== MessageType.ACK) return 'none';
    acked.set(mac(i), reply.message.yiaddr);
    return 'ack';
  }

  it('grants leases, then none once the disk is full, reports it, and resumes when space frees', async () => {
    const path = join(mnt, 'leases');
    server = startTestDaemon({ captureLogs: true, store: openStore(path), wire: WIRE });
    await server.app.ready;
    for (let i = 0; i < 5; i++) expect(await dora(i)).toBe('ack');

    const filler = join(mnt, 'filler');
    fill(filler);
    // The log file's last page may still take a few records; then writes must fail.
    let first = -1;
    for (let i = 5; i < CLIENTS && first < 0; i++) if ((await dora(i)) === 'none') first = i;
    expect(first, 'a write failed once the disk was full').toBeGreaterThan(0);
    for (let i = first + 1; i < first + 4; i++) expect(await dora(i)).toBe('none');
    const health = server.app.health();
    expect(health).toMatchObject({ status: 'degraded', serving: true, store: { writable: false } });
    expect(health.store.lastError).toMatch(/No space left|re-open/);
    expect(server.app.statistics().counters.events).toMatchObject({ 'store.unwritable': 1 });
    expect(server.evts()).toEqual(expect.arrayContaining(['store.unwritable', 'store.write.gave_up']));
    const inform = await server.exchange(clientMessage({ mac: mac(99) }, MessageType.INFORM, { ciaddr: '198.51.100.5' }), { from: '198.51.100.5' });
    expect(inform && replyType(inform.message)).toBe(MessageType.ACK);

    rmSync(filler);
    // The next REQUEST is the probe; a re-open still inside its backoff is retried by the client's retransmission.
    let resumed = false;
    for (let attempt = 0; attempt < 20 && !resumed; attempt++) {
      resumed = (await dora(first, { waitMs: 300 })) === 'ack';
      if (!resumed) await new Promise((r) => setTimeout(r, 100));
    }
    expect(resumed, 'service resumed after space was freed').toBe(true);
    expect(await dora(CLIENTS + 1)).toBe('ack');
    expect(server.app.health()).toMatchObject({ status: 'ok', store: { writable: true } });
    expect(server.evts()).toEqual(expect.arrayContaining(['store.writable']));
    const events = server.app.statistics().counters.events!;
    console.log(`[diskfull] ${first - 5} lease(s) still fit after the fill; events ${JSON.stringify(events)}`);
    expect(await server.app.stop()).toBe(0);
    server = undefined;

    // Every ACK given is durable: a fresh open of the store finds each lease with its client.
    const reopened = openStore(path);
    await reopened.open();
    const stored = new Map<string, string>();
    for await (const record of reopened.loadAll()) if (record.state === 'bound') stored.set(record.context.hwAddress, record.context.ip);
    await reopened.close();
    for (const [hw, ip] of acked) expect(stored.get(hw), `lease of ${hw}`).toBe(ip);
  }, 60_000);
});
