// `actor-dhcpd history`: from a stopped daemon's store (by MAC, IP, client id, host name) and a clear error when
// no daemon listens on the control socket.
import { describe, expect, it } from 'vitest';
import { ManualClock } from '../../../src/clock.js';
import { MessageType } from '../../../src/codec/types.js';
import { openLevelStore } from '../../../src/store/open.js';
import { historyCommand, parseArgs } from '../../../src/visualizer/commands.js';
import { parseQuery } from '../../../src/visualizer/lease-search.js';
import { clientMessage } from '../../helpers/test-client.js';
import { bindClient, SERVER_ID, startTestServer } from '../../helpers/test-server.js';
import { makeTempDir } from '../store/helpers.js';

describe('actor-dhcpd history', () => {
  it('reads a stopped daemon\'s store by MAC, IP and client id', async () => {
    const temp = await makeTempDir();
    try {
      const server = await startTestServer(await openLevelStore(temp.dir), undefined, new ManualClock(Date.now()));
      const laptop = { mac: '02:00:5e:10:00:07' };
      const phone = { mac: '02:00:5e:10:00:08', clientId: Buffer.from('01020304', 'hex') };
      const { ip } = await bindClient(server, laptop);
      await server.exchange(clientMessage(laptop, MessageType.RELEASE, { ciaddr: ip, serverId: SERVER_ID }), { waitMs: 50 });
      const { ip: phoneIp } = await bindClient(server, phone);
      await server.stop();

      const byMac = await historyCommand(['--mac', '02-00-5E-10-00-07', '--store', temp.dir]);
      expect(byMac.code).toBe(0);
      const lines = byMac.stdout!.trimEnd().split('\n');
      expect(lines[0]).toBe(`${ip}  released  hw:1:02:00:5e:10:00:07`);
      expect(lines.slice(1).map((l) => l.replace(/^\s+\S+\s+\S+\s+/, ''))).toEqual([
        expect.stringMatching(/^none → offered {2}lease\.offer {2}xid=0x[0-9a-f]{8} {2}DHCPDISCOVER from 02:00:5e:10:00:07$/),
        expect.stringMatching(/^offered → bound {2}lease\.commit {2}xid=0x[0-9a-f]{8} {2}DHCPREQUEST from 02:00:5e:10:00:07 for /),
        expect.stringMatching(/^bound → released {2}lease\.release {2}xid=/),
      ]);

      const byIp = await historyCommand(['--ip', phoneIp, '--store', temp.dir, '--json']);
      const entries = JSON.parse(byIp.stdout!) as { ip: string; transitions: { to: string; clientKey: string }[] }[];
      expect(entries).toHaveLength(1);
      expect(entries[0]!.transitions.map((t) => t.to)).toEqual(phoneIp === ip ? ['offered', 'bound', 'released', 'offered', 'bound'] : ['offered', 'bound']);

      const byClientId = await historyCommand(['--client-id', '01:02:03:04', '--store', temp.dir, '--json']);
      expect((JSON.parse(byClientId.stdout!) as { ip: string }[]).map((e) => e.ip)).toEqual([phoneIp]);

      expect(await historyCommand(['--mac', '02:00:5e:99:99:99', '--store', temp.dir])).toMatchObject({ code: 1, stderr: 'no lease found\n' });
    } finally {
      await temp.remove();
    }
  });

  it('asks for exactly one query, and names the socket when no daemon listens', async () => {
    expect(await historyCommand([])).toMatchObject({ code: 2 });
    expect(await historyCommand(['--mac', 'a', '--ip', 'b'])).toMatchObject({ code: 2 });
    await expect(historyCommand(['--ip', '198.51.100.5', '--socket', '/nonexistent/ctl.sock'])).rejects.toThrow(
      /no daemon listening on \/nonexistent\/ctl\.sock \(ENOENT\); for a stopped daemon use --store PATH/,
    );
  });

  it('parses arguments and free-text queries', () => {
    expect(parseArgs(['lease', '--format', 'svg', '--json', '--x=1'])).toEqual({
      positional: ['lease'], flags: new Map([['format', 'svg'], ['json', ''], ['x', '1']]),
    });
    expect(parseQuery(' 198.51.100.7 ')).toEqual({ ip: '198.51.100.7' });
    expect(parseQuery('02:00:5E:10:00:01')).toEqual({ mac: '02:00:5E:10:00:01' });
    expect(parseQuery('id:01:02:03')).toEqual({ clientId: '01:02:03' });
    expect(parseQuery('laptop.lab')).toEqual({ hostname: 'laptop.lab' });
  });
});
