// Rogue-server detection: a socket on the client port (68) of the served links hears the OFFERs and ACKs other
// servers broadcast; each one from a server id that is not ours is reported once per source per interval, with
// its server id, IP address and (from the neighbour table, when the kernel has it) MAC address.
import { createSocket, type Socket } from 'node:dgram';
import { readFileSync } from 'node:fs';
import { decode, getIpOption, messageTypeOf } from '../codec/index.js';
import { MessageType } from '../codec/types.js';
import type { SecurityEvent } from './events.js';

/** Sources remembered for the once-per-interval rule; past it the oldest is forgotten (and may be reported again). */
export const MAX_ROGUE_SOURCES = 10_000;

export interface RogueDetectorDeps {
  readonly port: number;
  readonly intervalMs: () => number;
  /** Our own server ids and addresses: their replies are ours, not rogue. */
  readonly isOurs: (address: string) => boolean;
  readonly now: () => number;
  readonly report: (event: SecurityEvent) => void;
  readonly onError: (error: Error) => void;
}

export interface RogueDetector {
  /** Checks one datagram heard on port 68 (exported for tests and for transports that hear it otherwise). */
  heard(data: Buffer, from: string): void;
  close(): void;
}

export function rogueDetector(deps: Omit<RogueDetectorDeps, 'port' | 'onError'>): RogueDetector {
  const lastReported = new Map<string, number>();
  return {
    heard(data, from) {
      const decoded = decode(data);
      if (!decoded.ok || decoded.msg.op !== 2) return;
      const type = messageTypeOf(decoded.msg);
      if (type !== MessageType.OFFER && type !== MessageType.ACK) return;
      const serverId = getIpOption(decoded.msg, 54) ?? from;
      if (deps.isOurs(serverId) || deps.isOurs(from)) return;
      const key = `${from}/${serverId}`;
      const now = deps.now();
      const last = lastReported.get(key);
      if (last !== undefined && now - last < deps.intervalMs()) return;
      lastReported.delete(key);
      lastReported.set(key, now);
      if (lastReported.size > MAX_ROGUE_SOURCES) lastReported.delete(lastReported.keys().next().value!);
      const mac = neighbourMac(from);
      deps.report({
        at: now, stage: 'rogue-detection', reason: 'rogue-server',
        detail: { serverId, source: from, ...(mac !== undefined ? { mac } : {}), type: MessageType[type], yiaddr: decoded.msg.yiaddr },
      });
    },
    close() {},
  };
}

/** Listens on 0.0.0.0:port (SO_REUSEADDR, so a local client may share it) and checks every datagram. */
export async function startRogueDetector(deps: RogueDetectorDeps): Promise<RogueDetector> {
  const detector = rogueDetector(deps);
  const socket: Socket = createSocket({ type: 'udp4', reuseAddr: true });
  socket.on('message', (data, rinfo) => detector.heard(data, rinfo.address));
  socket.on('error', deps.onError);
  await new Promise<void>((resolve, reject) => {
    socket.once('error', reject);
    socket.bind(deps.port, '0.0.0.0', () => {
      socket.off('error', reject);
      resolve();
    });
  });
  socket.unref();
  return { heard: detector.heard, close: () => socket.close() };
}

/** The MAC the kernel's neighbour table has for an IPv4 address (Linux /proc/net/arp), if any. */
function neighbourMac(ip: string): string | undefined {
  try {
    for (const line of readFileSync('/proc/net/arp', 'utf8').split('\n').slice(1)) {
      const cols = line.trim().split(/\s+/);
      if (cols[0] === ip && cols[3] !== undefined && cols[3] !== '00:00:00:00:00:00') return cols[3];
    }
  } catch {
    // Not Linux, or /proc not mounted: the report goes out without a MAC.
  }
  return undefined;
}
