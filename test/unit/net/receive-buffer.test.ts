// The UDP receive queue (listen.receiveBufferKiB): the addon sets it on a real socket and reports what the kernel
// granted; the transport logs it, and warns when the kernel granted less or refused.
import { describe, expect, it } from 'vitest';
import { findAddon, loadNativeBinding, RX_META_FIELDS, RX_SLOT_SIZE, RX_SLOTS, type UdpHandle } from '../../../src/net/native-binding.js';
import { createNativeTransport } from '../../../src/net/native-transport.js';
import { applyReceiveBuffer } from '../../../src/net/receive-buffer.js';
import { ETH1, fakeBinding, recordingLogger } from './helpers.js';

describe('applyReceiveBuffer', () => {
  it('logs the granted size, and warns when the kernel granted less or refused', () => {
    const log = recordingLogger();
    applyReceiveBuffer(1 << 20, (bytes) => 2 * bytes, log);
    applyReceiveBuffer(1 << 22, () => 425_984, log); // rmem_max 208 KiB without CAP_NET_ADMIN
    applyReceiveBuffer(1 << 20, () => -1, log);
    expect(log.lines.map((l) => [l.level, l.obj.askedBytes, l.obj.grantedBytes, l.obj.errno])).toEqual([
      ['info', 1 << 20, 1 << 20, undefined],
      ['warn', 1 << 22, 212_992, undefined],
      ['warn', 1 << 20, undefined, 1],
    ]);
  });
});

describe('the native transport', () => {
  it('sets the configured receive queue on its socket, and leaves the addon default without one', () => {
    for (const receiveBufferBytes of [1 << 20, undefined]) {
      const asked: number[] = [];
      const binding = Object.assign(fakeBinding(), { udpSetReceiveBuffer: (_: unknown, bytes: number) => (asked.push(bytes), 2 * bytes) });
      const logger = recordingLogger();
      const discover = () => ({ found: [ETH1], missing: [], localAddresses: ['198.51.100.1'] });
      const transport = createNativeTransport({ port: 67, interfaces: ['adn-s1'], logger, binding, discover,
        ...(receiveBufferBytes === undefined ? {} : { receiveBufferBytes }) });
      transport.close();
      expect(asked).toEqual(receiveBufferBytes === undefined ? [] : [receiveBufferBytes]);
      expect(logger.events().includes('net.receive_buffer')).toBe(receiveBufferBytes !== undefined);
    }
  });
});

const addon = findAddon();
describe.skipIf(addon === undefined || process.getuid?.() !== 0)('udpSetReceiveBuffer on a real socket', () => {
  it('sets SO_RCVBUF to the size asked (beyond rmem_max as root) and reads back what the kernel granted', () => {
    const binding = loadNativeBinding(addon);
    // Bound to loopback on an ephemeral port: nothing is sent or received.
    const handle = binding.udpOpenFlat!('127.0.0.1', 0, 64, new Uint8Array(RX_SLOTS * RX_SLOT_SIZE), new Int32Array(RX_SLOTS * RX_META_FIELDS), () => undefined);
    expect(typeof handle).not.toBe('number');
    try {
      expect(binding.udpSetReceiveBuffer!(handle as UdpHandle, 1 << 20)).toBe(2 << 20);
      expect(binding.udpSetReceiveBuffer!(handle as UdpHandle, 8 << 20)).toBe(16 << 20);
      expect(binding.udpSetReceiveBuffer!(handle as UdpHandle, 0)).toBeLessThan(0);
    } finally {
      binding.udpClose(handle as UdpHandle);
    }
  });
});
