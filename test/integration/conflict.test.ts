// The conflict check before an offer (RFC 2131 §4.4.1) with real hosts: a host on the lab bridge holds the first
// pool address statically; the daemon's ICMP echo finds it, so a real udhcpc is offered another address; the
// conflicted address then stays on probation — not offered to a client asking for it, not even after a restart.
import { describe, expect, it, beforeAll } from 'vitest';
import { udhcpc } from './harness/clients.js';
import { DIRECT_POOL } from './harness/daemon.js';
import { run } from './harness/proc.js';
import { SERVER_KIND, inRange, integrationSkip, useLab } from './harness/suite.js';

const skip = integrationSkip('conflict') ?? (SERVER_KIND === 'kea' ? 'the conflict check is actor-dhcpd behaviour' : undefined);
const SQUATTER_MAC = '02:00:5e:10:0c:99';
const SQUATTED = DIRECT_POOL.start;

describe.skipIf(skip !== undefined)('conflict check before an offer (actor-dhcpd)', () => {
  const ctx = useLab({ direct: [{ mac: SQUATTER_MAC }, {}, {}, {}] }, {
    // Probation outlasts the test; the daemon's defaults otherwise (the check is on, 500 ms).
    configure: (config) => void (config['declineProbationSeconds'] = 3600),
  });
  beforeAll(async () => {
    // A host nobody told the DHCP server about, configured by hand with an address inside the pool.
    const squatter = ctx.lab.direct[0]!;
    await run('ip', ['-n', squatter.ns, 'addr', 'add', `${SQUATTED}/24`, 'dev', squatter.iface], { timeoutMs: 5_000 });
  });

  const conflicts = () => ctx.server.logs.filter((l) => l.evt === 'lease.conflict' && l['ip'] === SQUATTED);

  it('the next udhcpc is offered another address, and the daemon logs who answered', async () => {
    const lease = await udhcpc(ctx.lab.direct[1]!);
    expect(lease.ip).not.toBe(SQUATTED);
    expect(inRange(lease.ip, DIRECT_POOL)).toBe(true);
    const line = await ctx.server.waitForEvt('lease.conflict', (l) => l['ip'] === SQUATTED, 2_000);
    expect(line).toMatchObject({ answeredBy: SQUATTED, mac: SQUATTER_MAC, err: { code: 'DHCPD_ERR_LEASE_IN_USE' } });
  }, 30_000);

  it('during probation the address is not offered to a client asking for it (option 50), nor probed again', async () => {
    const lease = await udhcpc(ctx.lab.direct[2]!, { requestIp: SQUATTED });
    expect(lease.ip).not.toBe(SQUATTED);
    expect(conflicts()).toHaveLength(1);
  }, 30_000);

  it('the probation is stored: after a restart the address is still held back', async () => {
    expect(await ctx.server.stop()).toBe(0);
    await ctx.startServer();
    const lease = await udhcpc(ctx.lab.direct[3]!, { requestIp: SQUATTED });
    expect(lease.ip).not.toBe(SQUATTED);
    expect(conflicts()).toHaveLength(0); // the new daemon's log: it never had to probe it
  }, 60_000);
});
