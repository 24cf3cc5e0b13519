// The /ui page as an operator uses it: the real daemon (dist/src/cli.js) serves it on its control socket, real clients (busybox udhcpc, ISC dhclient)
// get leases in network namespaces, and headless Chromium (playwright-core) opens the page. The statecharts show
// their states; a client that binds moves the `bound` count up without a reload; a search shows the lease on its
// chart with its history. Screenshots go to test-artifacts/ui/ (gitignored).
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { chromium, type BrowserContext, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { historyCommand } from '../../src/visualizer/commands.js';
import { startUiRelay, type UiRelay } from '../../src/visualizer/ui-relay.js';
import { DhclientSession, udhcpc } from './harness/clients.js';
import { REPO, controlSocket, ensureBuilt, startDaemon, type DhcpServer } from './harness/daemon.js';
import { cleanupLeftovers, createLab, skipReason, teardownAll, type Lab } from './harness/netns.js';
import { removeTempDirs, tempDir } from './harness/proc.js';

const CHROMIUM = '/usr/bin/chromium';
const ARTIFACTS = resolve(REPO, 'test-artifacts/ui');
const skip = skipReason();
if (skip !== undefined) console.warn(`[ui] skipped: ${skip}`);

describe.skipIf(skip !== undefined)('the /ui page in headless Chromium', () => {
  let lab: Lab;
  let daemon: DhcpServer;
  let relay: UiRelay;
  let context: BrowserContext;
  let page: Page;
  let base: string;
  let socket: string;
  const profile = mkdtempSync(join(tmpdir(), 'ui-chromium-'));

  beforeAll(async () => {
    await cleanupLeftovers();
    await ensureBuilt();
    mkdirSync(ARTIFACTS, { recursive: true });
    lab = await createLab({ direct: [{}, {}] });
    const setup = { stateDir: tempDir('ui'), leaseTime: 120, configure: (c: Record<string, unknown>) => (c['conflictCheck'] = { enabled: false }) };
    socket = controlSocket(setup);
    daemon = await startDaemon(lab, setup);
    // The browser reaches the control socket as an operator's would: through `actor-dhcpd ui`'s loopback relay.
    relay = await startUiRelay(socket, '127.0.0.1', 0);
    base = relay.url.replace(/\/ui$/, '');
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
      await relay?.close();
      await daemon?.stop();
      await lab?.destroy();
    } finally {
      await teardownAll();
      removeTempDirs();
      rmSync(profile, { recursive: true, force: true });
    }
  }, 60_000);

  const boundCount = async (): Promise<number> =>
    Number(await page.locator('#chart-lease [data-count-for="leased.bound"]').textContent());
  // Page-side expressions as strings: the tests are type-checked without the DOM library.
  const waitForBound = (n: number) =>
    page.waitForFunction(`Number(document.querySelector('#chart-lease [data-count-for="leased.bound"]')?.textContent) === ${n}`, undefined, { timeout: 10_000 });

  it('draws the lease, transaction and server statecharts with all their states', async () => {
    await page.goto(`${base}/ui`);
    await page.waitForSelector('body[data-charts="ready"]');
    for (const state of ['offered', 'leased', 'leased.bound', 'leased.renewing', 'leased.rebinding', 'expired', 'declined', 'released', 'reclaimed']) {
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
    expect(await page.locator('#chart-lease .state.current').getAttribute('data-state')).toBe('leased.bound');
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

  it('`actor-dhcpd history --mac` prints the same history from the running daemon over its control socket', async () => {
    const out = await historyCommand(['--mac', lab.direct[0]!.mac, '--socket', socket]);
    expect(out.code).toBe(0);
    expect(out.stdout).toMatch(/ {2}bound {2}/);
    expect(out.stdout).toMatch(/none → offered {2}lease\.offer {2}xid=0x[0-9a-f]{8} {2}DHCPDISCOVER from /);
    expect(out.stdout).toMatch(/offered → bound {2}lease\.commit/);
  });
});
