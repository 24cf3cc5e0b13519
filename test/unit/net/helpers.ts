// Shared fakes for the net tests: a recording logger, a scriptable native binding, interface fixtures.
import type { NetLogger } from '../../../src/net/link-table.js';
import { parseIpv4 } from '../../../src/codec/index.js';
import { RX_META_FIELDS, RX_SLOT_SIZE, type NativeBinding, type RawDatagram, type UdpHandle } from '../../../src/net/native-binding.js';
import type { InterfaceInfo } from '../../../src/net/types.js';

export interface LogLine {
  readonly level: string;
  readonly obj: Record<string, unknown>;
}

export function recordingLogger(): NetLogger & { lines: LogLine[]; events(): string[] } {
  const lines: LogLine[] = [];
  const at = (level: string) => (obj: unknown) => void lines.push({ level, obj: (obj ?? {}) as Record<string, unknown> });
  const log = { debug: at('debug'), info: at('info'), warn: at('warn'), error: at('error') };
  // pino's LogFn is an overloaded signature; the recorder accepts every form it is called with here.
  return Object.assign(log as unknown as NetLogger, { lines, events: () => lines.map((l) => String(l.obj.evt)) });
}

export const ETH1: InterfaceInfo = { name: 'adn-s1', index: 11, mac: '02:00:00:00:01:01', addresses: [{ address: '198.51.100.1', prefixLength: 24 }] };
export const ETH2: InterfaceInfo = {
  name: 'adn-s2',
  index: 12,
  mac: '02:00:00:00:02:01',
  addresses: [{ address: '203.0.113.1', prefixLength: 25 }, { address: '203.0.113.129', prefixLength: 25 }],
};

export interface FakeBinding extends NativeBinding {
  readonly udpSends: { data: Buffer; address: string; port: number; ifindex: number; source: string }[];
  readonly packetSends: { datagram: Buffer; ifindex: number; mac: Buffer }[];
  /** Results the next sends return (bytes or -errno); empty: success. */
  readonly udpResults: number[];
  readonly packetResults: number[];
  /** Messages per batched call, in order (udp and packet alike). */
  readonly batches: { kind: 'udp' | 'packet'; size: number }[];
  openResult: number | undefined;
  /** udpOpenFlat's last discoverQueueBytes and meta; what udpDiscoverLane answers (unset: twice the bytes asked). */
  laneAsked: number | undefined;
  laneResult: number | undefined;
  meta: Int32Array | undefined;
  packetFd: number;
  closed: string[];
  receive(errno: number, batch: RawDatagram[]): void;
}

/**
 * A fake addon; `batched: false` is one built before udpSendMany/packetSendMany (one call per send), `flat: false`
 * one built before udpOpenFlat (an array of datagram objects per batch).
 */
export function fakeBinding({ batched = true, flat = true }: { batched?: boolean; flat?: boolean } = {}): FakeBinding {
  let onBatch: ((errno: number, batch: RawDatagram[]) => void) | undefined;
  const handle = { __brand: 'dhcpd_net.udp' } as unknown as UdpHandle;
  const fake: FakeBinding = {
    udpSends: [],
    packetSends: [],
    udpResults: [],
    packetResults: [],
    batches: [],
    openResult: undefined,
    laneAsked: undefined,
    laneResult: undefined,
    meta: undefined,
    packetFd: 42,
    closed: [],
    udpOpen: (_address, _port, _max, cb) => {
      onBatch = cb;
      return fake.openResult ?? handle;
    },
    ...(flat ? {
      // As native/udp.c: the batch's bytes in the slots, one row per datagram in meta, valid during the callback.
      udpOpenFlat: (_address: string, _port: number, _max: number, slots: Uint8Array, meta: Int32Array, cb: (errno: number, count: number) => void,
        discoverQueueBytes?: number) => {
        fake.laneAsked = discoverQueueBytes;
        fake.meta = meta;
        onBatch = (errno, batch) => {
          batch.forEach((d, i) => {
            slots.set(d.data, i * RX_SLOT_SIZE);
            meta.set([i * RX_SLOT_SIZE, d.data.length, parseIpv4(d.address), d.port, d.ifindex, d.localAddress === '' ? 0 : parseIpv4(d.localAddress)], i * RX_META_FIELDS);
          });
          cb(errno, batch.length);
          slots.fill(0xee, 0, batch.length * RX_SLOT_SIZE); // the next recvmmsg overwrites them
        };
        return fake.openResult ?? handle;
      },
      udpDiscoverLane: () => fake.laneResult ?? 2 * (fake.laneAsked ?? 0),
    } : {}),
    udpSend: (_h, data, address, port, ifindex, source) => {
      fake.udpSends.push({ data, address, port, ifindex, source });
      return fake.udpResults.shift() ?? data.length;
    },
    udpClose: () => (fake.closed.push('udp'), 0),
    packetOpen: () => fake.packetFd,
    packetSend: (_fd, datagram, ifindex, mac) => {
      fake.packetSends.push({ datagram, ifindex, mac });
      return fake.packetResults.shift() ?? datagram.length;
    },
    ...(batched ? {
      udpSendMany: (h: UdpHandle, datas: readonly Buffer[], addresses: readonly string[], sources: readonly string[], numbers: Int32Array, results: Int32Array) => {
        fake.batches.push({ kind: 'udp', size: datas.length });
        datas.forEach((data, i) => (results[i] = fake.udpSend(h, data, addresses[i]!, numbers[2 * i]!, numbers[2 * i + 1]!, sources[i]!)));
        return datas.length;
      },
      packetSendMany: (fd: number, datagrams: readonly Buffer[], ifindexes: Int32Array, macs: readonly Buffer[], results: Int32Array) => {
        fake.batches.push({ kind: 'packet', size: datagrams.length });
        datagrams.forEach((d, i) => (results[i] = fake.packetSend(fd, d, ifindexes[i]!, macs[i]!)));
        return datagrams.length;
      },
    } : {}),
    fdClose: (fd) => (fake.closed.push(`fd${fd}`), 0),
    receive: (errno, batch) => onBatch?.(errno, batch),
  };
  return fake;
}

export function datagram(ifindex: number, localAddress: string, from = '0.0.0.0'): RawDatagram {
  return { data: Buffer.from([1, 2, 3]), address: from, port: 68, ifindex, localAddress };
}
