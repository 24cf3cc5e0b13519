// The log writer does not buffer without bound: with stdout stalled (a pipe nobody reads), lines past the buffer
// cap are dropped and counted, and the memory held stays at the cap.
import { execFileSync } from 'node:child_process';
import { constants, mkdtempSync, openSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pino } from 'pino';
import { describe, expect, it } from 'vitest';
import { createLogger } from '../../src/log.js';

describe('createLogger', () => {
  it('drops lines instead of buffering past maxBufferBytes when the destination stalls', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'adlog-'));
    const fifo = join(dir, 'stalled');
    execFileSync('mkfifo', [fifo]);
    // Read-write so the open does not wait for a reader; nobody ever reads, so the pipe fills (64 KiB) and stalls.
    const fd = openSync(fifo, constants.O_RDWR | constants.O_NONBLOCK);
    let stream: { _len: number; destroy(): void; on(e: string, f: () => void): void } | undefined;
    try {
      let dropped = 0;
      const log = createLogger('info', fd, { maxBufferBytes: 256 * 1024, onDrop: () => dropped++ });
      const line = 'x'.repeat(1_000);
      for (let i = 0; i < 5_000; i++) log.info({ evt: 'test.flood', i, line }); // ~5 MB offered
      await new Promise((r) => setTimeout(r, 50));
      expect(dropped).toBeGreaterThan(4_000);
      stream = (log as unknown as Record<symbol, typeof stream>)[pino.symbols.streamSym];
      expect(stream!._len).toBeLessThanOrEqual(256 * 1024); // bytes held for the stalled destination
    } finally {
      stream?.on('error', () => {}); // its pending retry of the stalled write fails once the fd is closed
      stream?.destroy(); // closes the fd
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
