// The daemon's heap growth and its storage engine's threads' niceness under overload, end to end in process: the
// transport's losses reach the tuner, V8 and the threads are told (here fakes), and statistics().tuning shows the
// values in force; a daemon given neither shows neither.
import { describe, expect, it } from 'vitest';
import { openMemoryStore } from '../../../src/store/open.js';
import { MemoryLink } from '../../helpers/memory-link.js';
import { startTestDaemon } from '../../helpers/test-daemon.js';

describe('heap growth tuned by a daemon', () => {
  it('rises while the transport loses requests to a full queue, and statistics show it', async () => {
    const told: number[] = [];
    let load = { received: 0, lost: 0 };
    const link = Object.assign(new MemoryLink(), { receiveLoad: () => load });
    const daemon = startTestDaemon({
      store: await openMemoryStore(), openTransport: async () => link, heap: { startPercent: 25, setPercent: (p) => told.push(p) },
    });
    try {
      await daemon.app.ready;
      expect(daemon.app.statistics().tuning?.heapGrowingPercent).toBe(25);
      daemon.clock.advance(1000);
      load = { received: 40_000, lost: 6_000 };
      daemon.clock.advance(1000);
      expect(told).toEqual([100]);
      expect(daemon.app.statistics().tuning?.heapGrowingPercent).toBe(100);
    } finally {
      await daemon.stop();
    }
  });

  it('a daemon given no heap leaves V8 alone', async () => {
    const daemon = startTestDaemon({ store: await openMemoryStore() });
    try {
      await daemon.app.ready;
      expect(daemon.app.statistics().tuning).not.toHaveProperty('heapGrowingPercent');
      expect(daemon.app.statistics().tuning).not.toHaveProperty('backgroundNice');
    } finally {
      await daemon.stop();
    }
  });

  it('nices the storage engine\'s threads while calm and gives them their share back while requests are lost', async () => {
    const told: number[] = [];
    let load = { received: 0, lost: 0 };
    const link = Object.assign(new MemoryLink(), { receiveLoad: () => load });
    const daemon = startTestDaemon({
      store: await openMemoryStore(), openTransport: async () => link,
      background: { setNice: (nice) => told.push(nice), scan: () => undefined },
    });
    try {
      await daemon.app.ready;
      expect(daemon.app.statistics().tuning?.backgroundNice).toBe(10);
      daemon.clock.advance(1000);
      load = { received: 40_000, lost: 6_000 };
      daemon.clock.advance(1000);
      expect(told).toEqual([10, 0]);
      expect(daemon.app.statistics().tuning?.backgroundNice).toBe(0);
      expect(daemon.app.statistics().tuning).not.toHaveProperty('heapGrowingPercent');
    } finally {
      await daemon.stop();
    }
  });
});
