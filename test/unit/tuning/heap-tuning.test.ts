// The daemon's heap growth and its storage engine's threads' niceness under overload, end to end in process: the
// transport's losses reach the tuner, V8 and the threads are told (here fakes), and statistics().tuning shows the
// values in force; a daemon given neither shows neither.
import { describe, expect, it } from 'vitest';
import { openMemoryStore } from '../../../src/store/open.js';
import { MemoryLink } from '../../helpers/memory-link.js';
import { startTestDaemon, type TestDaemonOptions } from '../../helpers/test-daemon.js';

/**
 * A daemon on a link whose receive counts the test sets, and `overload()`: a calm second, then one in which 6,000 of
 * 46,000 requests are lost to a full queue.
 */
async function daemonUnderLoad(options: Pick<TestDaemonOptions, 'heap' | 'background'>) {
  let load = { received: 0, lost: 0 };
  const link = Object.assign(new MemoryLink(), { receiveLoad: () => load });
  const daemon = startTestDaemon({ store: await openMemoryStore(), openTransport: async () => link, ...options });
  await daemon.app.ready;
  const overload = (): void => {
    daemon.clock.advance(1000);
    load = { received: 40_000, lost: 6_000 };
    daemon.clock.advance(1000);
  };
  return { daemon, overload };
}

describe('heap growth tuned by a daemon', () => {
  it('rises while the transport loses requests to a full queue, and statistics show it', async () => {
    const told: number[] = [];
    const { daemon, overload } = await daemonUnderLoad({ heap: { startPercent: 25, setPercent: (p) => told.push(p) } });
    try {
      expect(daemon.app.statistics().tuning?.heapGrowingPercent).toBe(25);
      overload();
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
    const { daemon, overload } = await daemonUnderLoad({ background: { setNice: (nice) => told.push(nice), scan: () => undefined } });
    try {
      expect(daemon.app.statistics().tuning?.backgroundNice).toBe(10);
      overload();
      expect(told).toEqual([10, 0]);
      expect(daemon.app.statistics().tuning?.backgroundNice).toBe(0);
      expect(daemon.app.statistics().tuning).not.toHaveProperty('heapGrowingPercent');
    } finally {
      await daemon.stop();
    }
  });
});
