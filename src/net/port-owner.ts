// One daemon per port (issue 11 §5): SO_REUSEADDR (native transport) and Node's dgram let a second server bind
// the DHCP port beside the first, and then both answer every broadcast. Before binding, the daemon looks for
// another socket on its UDP port in its network namespace (/proc/net/udp, /proc/net/udp6) and names the process
// holding it (the socket's inode in /proc/<pid>/fd); a lock on an abstract UNIX socket (scoped to the network
// namespace, released by the kernel when the process dies) closes the race between two daemons starting at once.
import { readFileSync, readdirSync, readlinkSync } from 'node:fs';
import { createServer, type Server } from 'node:net';
import { endianness } from 'node:os';
import { NetError } from '../errors.js';

export interface PortOwner {
  readonly pid?: number;
  /** The command line of that process, when it can be read. */
  readonly command?: string;
}

/** A held claim on the port; released when closed or when the process exits. */
export interface PortClaim {
  release(): Promise<void>;
}

interface UdpSocket {
  readonly address: string;
  readonly port: number;
  readonly inode: number;
}

const WILDCARD = '0.0.0.0';

/** `0100007F:0043` → 127.0.0.1 port 67 (the kernel prints the address as a native-endian word). */
function parseV4(hex: string): string {
  const n = Number.parseInt(hex, 16);
  const bytes = [n >>> 24, (n >>> 16) & 255, (n >>> 8) & 255, n & 255];
  return (endianness() === 'LE' ? bytes.reverse() : bytes).join('.');
}

/** UDP sockets in this network namespace, IPv4 and IPv6 (an IPv6 wildcard socket also receives IPv4). */
export function udpSockets(read: (path: string) => string = (p) => readFileSync(p, 'utf8')): UdpSocket[] {
  const found: UdpSocket[] = [];
  for (const [file, v6] of [['/proc/net/udp', false], ['/proc/net/udp6', true]] as const) {
    let text: string;
    try {
      text = read(file);
    } catch {
      continue; // no IPv6, or no /proc: nothing to learn from this table
    }
    for (const line of text.split('\n').slice(1)) {
      const fields = line.trim().split(/\s+/);
      const [addr, portHex] = (fields[1] ?? '').split(':');
      if (addr === undefined || portHex === undefined || fields[9] === undefined) continue;
      // An IPv6 socket on a specific address never receives IPv4 datagrams; only the wildcard one matters.
      if (v6 && !/^0+$/.test(addr)) continue;
      const address = v6 ? WILDCARD : parseV4(addr);
      found.push({ address, port: Number.parseInt(portHex, 16), inode: Number(fields[9]) });
    }
  }
  return found;
}

/** Sockets that would receive what a socket bound to `address`:`port` receives. */
export function conflicting(sockets: readonly UdpSocket[], port: number, address: string): UdpSocket[] {
  return sockets.filter((s) => s.port === port && (address === WILDCARD || s.address === WILDCARD || s.address === address));
}

/** The process holding a socket inode: the /proc/<pid>/fd entry pointing at `socket:[inode]`. */
export function processOfInode(inode: number): PortOwner {
  const target = `socket:[${inode}]`;
  for (const entry of safeList('/proc')) {
    const pid = Number(entry);
    if (!Number.isInteger(pid)) continue;
    for (const fd of safeList(`/proc/${pid}/fd`)) {
      if (safeReadlink(`/proc/${pid}/fd/${fd}`) !== target) continue;
      return { pid, ...commandOf(pid) };
    }
  }
  return {};
}

function commandOf(pid: number): { command?: string } {
  try {
    const command = readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0').filter(Boolean).join(' ');
    return command === '' ? {} : { command };
  } catch {
    return {};
  }
}

const safeList = (dir: string): string[] => {
  try {
    return readdirSync(dir);
  } catch {
    return [];
  }
};
const safeReadlink = (path: string): string | undefined => {
  try {
    return readlinkSync(path);
  } catch {
    return undefined;
  }
};

function describe(owner: PortOwner): string {
  if (owner.pid === undefined) return 'another process (not found in /proc: another user or PID namespace)';
  return `pid ${owner.pid}${owner.command === undefined ? '' : ` (${owner.command})`}`;
}

function inUse(port: number, owner: PortOwner, what: string): NetError {
  return new NetError('DHCPD_ERR_NET_PORT_IN_USE',
    `UDP port ${port} is already served by ${describe(owner)}${what}: stop it first, only one DHCP server may serve a port`,
    { details: { port, ...owner } });
}

/** The abstract socket a running actor-dhcpd holds for its port (the name is per network namespace). */
const lockName = (port: number): string => `\0actor-dhcpd/udp/${port}`;

/** The process holding our lock socket: /proc/net/unix shows an abstract name's NUL bytes as "@" (Node pads it). */
function lockHolder(port: number): PortOwner {
  const name = `@actor-dhcpd/udp/${port}`;
  try {
    for (const line of readFileSync('/proc/net/unix', 'utf8').split('\n')) {
      const fields = line.trim().split(/\s+/);
      if (fields[7]?.replace(/@+$/, '') === name) return processOfInode(Number(fields[6]));
    }
  } catch {
    // fall through: the holder stays unnamed
  }
  return {};
}

function lock(port: number): Promise<Server | undefined> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', (error: NodeJS.ErrnoException) => (error.code === 'EADDRINUSE' ? resolve(undefined) : reject(error)));
    server.listen({ path: lockName(port) }, () => {
      server.unref(); // the claim must not keep the process alive
      resolve(server);
    });
  });
}

/**
 * Claims `port` for this daemon, or throws DHCPD_ERR_NET_PORT_IN_USE naming who serves it: a process holding a
 * socket on the port, else another actor-dhcpd holding the lock (starting, not bound yet).
 */
export async function claimPort(port: number, address: string): Promise<PortClaim> {
  const taken = conflicting(udpSockets(), port, address)[0];
  if (taken !== undefined) {
    throw inUse(port, processOfInode(taken.inode), ` on ${taken.address === WILDCARD ? 'all addresses' : taken.address}`);
  }
  const server = await lock(port);
  if (server === undefined) throw inUse(port, lockHolder(port), ' (another actor-dhcpd, starting)');
  return { release: () => new Promise((resolve) => server.close(() => resolve())) };
}
