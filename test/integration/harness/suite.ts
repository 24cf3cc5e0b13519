// Vitest wiring shared by the integration files: skip when not root, clean leftovers, build, always tear down.
import { afterAll, beforeAll } from 'vitest';
import { cleanupLeftovers, createLab, skipReason, teardownAll, type Lab, type LabSpec } from './netns.js';
import { ensureBuilt, startDaemon, type DhcpServer, type ServerSetup } from './daemon.js';
import { startKea } from './kea.js';
import { removeTempDirs, tempDir } from './proc.js';

/** ADT_SERVER=kea runs the same flows against ISC Kea, to tell harness bugs from daemon bugs. */
export const SERVER_KIND: 'daemon' | 'kea' = process.env['ADT_SERVER'] === 'kea' ? 'kea' : 'daemon';

/** Why this file must skip, or undefined; printed so a skipped run says why. */
export function integrationSkip(file: string): string | undefined {
  const reason = skipReason();
  if (reason !== undefined) console.warn(`[${file}] skipped: ${reason}`);
  return reason;
}

export interface LabContext {
  lab: Lab;
  setup: ServerSetup;
  server: DhcpServer;
  /** Starts (or restarts) the server on the same lease store. */
  startServer(): Promise<DhcpServer>;
}

/** Registers beforeAll/afterAll that build the lab and start the server; afterAll removes everything, always. */
export function useLab(spec: LabSpec, opts: Pick<ServerSetup, 'leaseTime' | 'configure'> = {}): LabContext {
  const ctx = {} as LabContext;
  beforeAll(async () => {
    await cleanupLeftovers();
    if (SERVER_KIND === 'daemon') await ensureBuilt();
    ctx.lab = await createLab(spec);
    ctx.setup = { stateDir: tempDir('state'), leaseTime: opts.leaseTime, configure: opts.configure };
    ctx.startServer = async () => {
      ctx.server = SERVER_KIND === 'kea' ? await startKea(ctx.lab, ctx.setup) : await startDaemon(ctx.lab, ctx.setup);
      return ctx.server;
    };
    await ctx.startServer();
  }, 120_000);
  afterAll(async () => {
    try {
      await ctx.server?.stop();
      await ctx.lab?.destroy();
    } finally {
      await teardownAll();
      removeTempDirs();
    }
  }, 60_000);
  return ctx;
}

/** "198.51.100.150" -> 32-bit number, for range checks. */
export function ipToInt(ip: string): number {
  return ip.split('.').reduce((acc, o) => acc * 256 + Number(o), 0);
}

export function inRange(ip: string, range: { start: string; end: string }): boolean {
  const n = ipToInt(ip);
  return n >= ipToInt(range.start) && n <= ipToInt(range.end);
}
