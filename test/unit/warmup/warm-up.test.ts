// The start's warm-up runs real exchanges through the daemon's own pipeline (native transport code over a loopback
// binding, router, machines, allocator, a real LevelDB store) in a scratch directory it removes, and never keeps the
// daemon from serving.
import { spawnSync } from 'node:child_process';
import { mkdir, mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createLogger } from '../../../src/log.js';
import { warmUp, warmUpBeforeServing } from '../../../src/warmup/warm-up.js';

function capturedLog() {
  const lines: Record<string, unknown>[] = [];
  const stream = new Writable({
    write(chunk: Buffer, _encoding, done) {
      for (const line of chunk.toString().split('\n').filter(Boolean)) lines.push(JSON.parse(line) as Record<string, unknown>);
      done();
    },
  });
  return { log: createLogger('info', stream), lines };
}

describe('warm-up', () => {
  let scratch: string;
  beforeEach(async () => {
    scratch = await mkdtemp(join(tmpdir(), 'warmup-test-'));
  });
  afterEach(async () => {
    await rm(scratch, { recursive: true, force: true });
  });

  it('completes DORAs, renewals and releases through the pipeline, then removes its scratch store', async () => {
    const { log } = capturedLog();
    const report = await warmUp({ budgetMs: 10_000, log, clients: 300, scratchDir: scratch });
    // 300 clients started 32 times over (a client still renewing or releasing is passed over, another starts instead),
    // and some started over after an OFFER they left; every exchange answered, even the second of a DISCOVER sent
    // twice: the run ends when they are done, well before the budget.
    expect(report.offers).toBe(32 * 300 + report.restarted);
    expect(report.ignored).toBeGreaterThan(0);
    expect(report.restarted).toBeGreaterThan(0);
    expect(report.repeated).toBeGreaterThan(0);
    // Every OFFER taken is ACKed, and the renewals are ACKed too.
    expect(report.acks).toBeGreaterThanOrEqual(report.offers - report.ignored);
    expect(report.naks).toBe(0);
    expect(report.released).toBeGreaterThan(0);
    expect(report.ms).toBeLessThan(10_000);
    expect(report.scratch).toMatch(new RegExp(`^${scratch}/actor-dhcpd-warmup-${process.pid}-[A-Za-z0-9]{6}$`));
    expect(await readdir(scratch)).toEqual([]);
  });

  it('removes the scratch stores that daemons killed in their warm-up left, and no other directory', async () => {
    const dead = spawnSync('true').pid!; // exited and reaped: no process has that pid now
    const left = [`actor-dhcpd-warmup-${dead}-Ab12Cd`, `actor-dhcpd-warmup-${process.pid}-Ef34Gh`, 'actor-dhcpd-warmup-Ij56Kl', 'other'];
    for (const name of left) await mkdir(join(scratch, name, 'leases'), { recursive: true });
    const { log } = capturedLog();
    await warmUp({ budgetMs: 200, log, clients: 50, scratchDir: scratch });
    // A running daemon's (here this process's) stays; so does a name this daemon did not make.
    expect((await readdir(scratch)).sort()).toEqual(left.slice(1).sort());
  });

  it('stops at its budget', async () => {
    const { log } = capturedLog();
    const report = await warmUp({ budgetMs: 300, log, scratchDir: scratch });
    expect(report.acks).toBeGreaterThan(0);
    expect(report.ms).toBeLessThan(5_000);
    expect(await readdir(scratch)).toEqual([]);
  });

  it('tells what it did in one line, and nothing of the scratch pipeline\'s own start and stop', async () => {
    const { log, lines } = capturedLog();
    await warmUpBeforeServing(200, log, scratch);
    log.flush();
    await new Promise((r) => setTimeout(r, 50));
    expect(lines.map((l) => l['evt'])).toEqual(['server.warmed']);
    expect(lines[0]).toMatchObject({ level: 30 });
    expect(lines[0]).not.toHaveProperty('component');
    expect(lines[0]!['acks']).toBeGreaterThan(0);
  });

  it('does nothing with a budget of 0', async () => {
    const { log, lines } = capturedLog();
    await warmUpBeforeServing(0, log, scratch);
    expect(lines).toEqual([]);
  });

  it('logs a failure as DHCPD_ERR_WARMUP_FAILED and resolves: the daemon serves without it', async () => {
    const { log, lines } = capturedLog();
    await warmUpBeforeServing(200, log, join(scratch, 'missing', 'dir'));
    log.flush();
    await new Promise((r) => setTimeout(r, 50));
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatchObject({ evt: 'server.warmup_failed', level: 40, err: { code: 'DHCPD_ERR_WARMUP_FAILED' } });
  });
});
