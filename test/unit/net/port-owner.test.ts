// One daemon per port: the UDP socket table is read as the kernel prints it, a socket on the port is found
// whatever address it is bound to, and its process is named from /proc/<pid>/fd.
import { createSocket } from 'node:dgram';
import { spawn } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { claimPort, conflicting, processOfInode, udpSockets } from '../../../src/net/port-owner.js';

const UDP = `  sl  local_address rem_address   st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode ref pointer drops
  123: 00000000:0043 00000000:0000 07 00000000:00000000 00:00000000 00000000     0        0 40001 2 0000000000000000 0
  124: 0164A8C0:0044 00000000:0000 07 00000000:00000000 00:00000000 00000000     0        0 40002 2 0000000000000000 0
  125: 016433C6:0043 00000000:0000 07 00000000:00000000 00:00000000 00000000     0        0 40003 2 0000000000000000 0
`;
const UDP6 = `  sl  local_address                         remote_address                        st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode ref pointer drops
    1: 00000000000000000000000000000000:0043 00000000000000000000000000000000:0000 07 00000000:00000000 00:00000000 00000000     0        0 40004 2 0000000000000000 0
    2: 000080FE00000000FF005E0201000000:0043 00000000000000000000000000000000:0000 07 00000000:00000000 00:00000000 00000000     0        0 40005 2 0000000000000000 0
`;

describe('port owner', () => {
  it('reads /proc/net/udp and udp6 as the kernel prints them (little-endian addresses, hex ports)', () => {
    const sockets = udpSockets((path) => (path.endsWith('6') ? UDP6 : UDP));
    expect(sockets).toEqual([
      { address: '0.0.0.0', port: 67, inode: 40001 },
      { address: '192.168.100.1', port: 68, inode: 40002 },
      { address: '198.51.100.1', port: 67, inode: 40003 },
      // The IPv6 wildcard also receives IPv4; a socket on one IPv6 address does not.
      { address: '0.0.0.0', port: 67, inode: 40004 },
    ]);
  });

  it('a socket conflicts when it would receive what ours receives', () => {
    const sockets = udpSockets((path) => (path.endsWith('6') ? '' : UDP));
    expect(conflicting(sockets, 67, '0.0.0.0').map((s) => s.inode)).toEqual([40001, 40003]);
    expect(conflicting(sockets, 67, '203.0.113.9').map((s) => s.inode)).toEqual([40001]);
    expect(conflicting(sockets, 68, '198.51.100.1').map((s) => s.inode)).toEqual([]);
  });

  it('names the process holding a socket, from its inode', async () => {
    // A child holding a UDP socket on an ephemeral loopback port (no traffic is sent).
    const child = spawn(process.execPath, ['-e', `
      const s = require('node:dgram').createSocket('udp4');
      s.bind(0, '127.0.0.1', () => console.log(s.address().port));
      setTimeout(() => {}, 20000);`], { stdio: ['ignore', 'pipe', 'inherit'] });
    try {
      const port = await new Promise<number>((resolve) => child.stdout!.once('data', (b: Buffer) => resolve(Number(b.toString()))));
      const socket = conflicting(udpSockets(), port, '127.0.0.1')[0];
      expect(socket).toBeDefined();
      expect(processOfInode(socket!.inode)).toMatchObject({ pid: child.pid, command: expect.stringContaining('dgram') });
    } finally {
      child.kill('SIGKILL');
    }
  });

  it('claimPort refuses a port whose socket another process holds, naming it; a free port is claimed once', async () => {
    const probe = createSocket('udp4');
    const port = await new Promise<number>((resolve) => probe.bind(0, '127.0.0.1', () => resolve(probe.address().port)));
    await new Promise<void>((resolve) => probe.close(() => resolve()));
    const claim = await claimPort(port, '127.0.0.1');
    // A second claim in the same network namespace meets the first one's lock.
    await expect(claimPort(port, '127.0.0.1')).rejects.toMatchObject({
      code: 'DHCPD_ERR_NET_PORT_IN_USE', details: { port, pid: process.pid },
      message: expect.stringMatching(new RegExp(`UDP port ${port} is already served by pid ${process.pid} .*another actor-dhcpd`)),
    });
    await claim.release();
    const child = spawn(process.execPath, ['-e', `
      const s = require('node:dgram').createSocket({ type: 'udp4', reuseAddr: true });
      s.bind(${port}, '127.0.0.1', () => console.log('bound'));
      setTimeout(() => {}, 20000);`], { stdio: ['ignore', 'pipe', 'inherit'] });
    try {
      await new Promise((resolve) => child.stdout!.once('data', resolve));
      await expect(claimPort(port, '0.0.0.0')).rejects.toMatchObject({
        code: 'DHCPD_ERR_NET_PORT_IN_USE', details: { port, pid: child.pid }, message: expect.stringContaining(`pid ${child.pid}`),
      });
    } finally {
      child.kill('SIGKILL');
      await new Promise((resolve) => child.once('exit', resolve));
    }
    const again = await claimPort(port, '127.0.0.1');
    await again.release();
  });
});
