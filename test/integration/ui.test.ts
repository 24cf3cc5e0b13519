// The /ui page as an operator uses it: the real daemon serves it, real clients (busybox udhcpc, ISC dhclient)
// get leases in network namespaces, and headless Chromium (playwright-core) opens the page. The statecharts show
// their states; a client that binds moves the `bound` count up without a reload; a search shows the lease on its
// chart with its history. Screenshots go to test-artifacts/ui/ (gitignored).
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createConnection, createServer, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { chromium, type BrowserContext, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DhclientSession, udhcpc } from './harness/clients.js';
import { REPO, daemonConfig, ensureBuilt } from './harness/daemon.js';
import { cleanupLeftovers, createLab, skipReason, teardownAll, type Lab } from './harness/netns.js';
import { Proc, removeTempDirs, tempDir } from './harness/proc.js';

const CHROMIUM = '/usr/bin/chromium';
const ARTIFACTS = resolve(REPO, 'test-artifacts/ui');
const RUNNER = resolve(import.meta.dirname, 'harness/ui-daemon.mjs');
const skip = skipReason();
if (skip !== undefined) console.warn(`[ui] skipped: ${skip}`);

describe.skipIf(skip !== undefined)('the /ui page in headless Chromium', () => {
  let lab: Lab;
  let daemon: Proc;
  let proxy: Server;
  let context: BrowserContext;
  let page: Page;
  let base: string;
  const profile = mkdtempSync(join(tmpdir(), 'ui-chromium-'));

  beforeAll(async () => {
    await cleanupLeftovers();
    await ensureBuilt();
    mkdirSync(ARTIFACTS, { recursive: true });
    lab = await createLab({ direct: [{}, {}] });
    const dir = tempDir('ui');
    const socket = join(dir, 'control.sock');
    const config = daemonConfig({ stateDir: dir, leaseTime: 120, configure: (c) => (c['conflictCheck'] = { enabled: false }) });
    writeFileSync(join(dir, 'dhcpd.json'), JSON.stringify(config));
    daemon = new Proc('ui-daemon', 'ip', ['netns', 'exec', lab.server, process.execPath, RUNNER, join(dir, 'dhcpd.json'), socket]);
    await daemon.waitForLine((l) => l.includes('"ui.listening"'), 20_000);
    // The browser lives outside the namespaces; it reaches the UNIX socket through a loopback relay of its own.
    proxy = createServer((c) => c.pipe(createConnection(socket)).pipe(c));
    await new Promise<void>((r) => proxy.listen(0, '127.0.0.1', r));
    base = `http://127.0.0.1:${(proxy.address() as { port: number }).port}`;
    context = await chromium.launchPersistentContext(profile, {
      executablePath: CHROMIUM,
      headless: true,
      args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking',
        '--disable-component-update', '--disable-sync'],
      viewport: { width: 1400, height: 1000 },
    });
    page = context.pages()[0] ?? (await context.newPage());
  }, 120_000);

  afterAll(async () => {
    try {
      await context?.close();
      proxy?.close();
      await daemon?.stop('SIGTERM', 8_000);
      await lab?.destroy();
    } finally {
      await teardownAll();
      removeTempDirs();
      rmSync(profile, { recursive: true, force: true });
    }
  }, 60_000);

  const boundCount = async (): Promise<number> =>
    Number(await page.locator('#chart-lease [data-count-for="bound"]').textContent());
  // Page-side expressions as strings: the tests are type-checked without the DOM library.
  const waitForBound = (n: number) =>
    page.waitForFunction(`Number(document.querySelector('#chart-lease [data-count-for="bound"]')?.textContent) === ${n}`, undefined, { timeout: 10_000 });

  it('draws the lease, transaction and server statecharts with all their states', async () => {
    await page.goto(`${base}/ui`);
    await page.waitForSelector('body[data-charts="ready"]');
    for (const state of ['offered', 'bound', 'renewing', 'rebinding', 'expired', 'declined', 'released', 'reclaimed']) {
      expect(await page.locator(`#chart-lease svg [data-state="${state}"]`).count()).toBe(1);
    }
    expect(await page.locator('#chart-transaction svg [data-state="idle"]').count()).toBe(1);
    expect(await page.locator('#chart-server svg [data-state="serving.running"]').count()).toBe(1);
    await page.waitForFunction(`document.querySelector('#live')?.textContent === 'live'`);
    expect(await page.locator('#server-state').textContent()).toBe('serving.running');
    expect(await page.locator('#chart-server [data-count-for="serving.running"]').textContent()).toBe('●');
    expect(await boundCount()).toBe(0);
    await page.screenshot({ path: join(ARTIFACTS, '1-statecharts.png'), fullPage: true });
  });

  it('a client that binds moves the bound count up, without a reload', async () => {
    const before = await boundCount();
    const navigations: string[] = [];
    page.on('framenavigated', (f) => navigations.push(f.url()));
    const lease = await udhcpc(lab.direct[0]!);
    await waitForBound(before + 1);
    const session = await DhclientSession.start(lab.direct[1]!);
    await waitForBound(before + 2);
    expect(navigations).toEqual([]);
    // The live feed shows the transitions as they came.
    const feed = await page.locator('#feed tbody').textContent();
    expect(feed).toContain(lease.ip);
    expect(feed).toContain('offered → bound');
    // Pool utilization counts them too.
    expect(await page.locator('#pools tbody tr').first().textContent()).toContain('198.51.100.0/24');
    await page.screenshot({ path: join(ARTIFACTS, '2-bound.png'), fullPage: true });
    await session.stop();
  });

  it('a search by MAC shows the lease on its chart with its timers and history', async () => {
    const mac = lab.direct[0]!.mac;
    await page.fill('#q', mac);
    await page.click('[data-testid="search-button"]');
    await page.waitForSelector('#lease-view:not([hidden]) #history tbody tr');
    expect(await page.getAttribute('#lease-view', 'data-state')).toBe('bound');
    expect(await page.locator('#chart-lease .state.current').getAttribute('data-state')).toBe('bound');
    const history = await page.locator('#history tbody').innerText();
    expect(history).toContain('none → offered');
    expect(history).toContain('offered → bound');
    expect(history).toMatch(/DHCPDISCOVER from/);
    expect(history).toMatch(/0x[0-9a-f]{8}/);
    const timers = await page.locator('#timers').innerText();
    expect(timers).toMatch(/T1 \(renew\)\s+in \d/);
    expect(timers).toContain('expiry');
    await page.screenshot({ path: join(ARTIFACTS, '3-search.png'), fullPage: true });
  });
});
