// The /ui plugin on a test-local fastify instance over the real daemon in process: the page and its bundled
// assets, the charts with a count badge per state, live counts and transitions over server-sent events, search
// with history, and the history API that `actor-dhcpd history` reads over a UNIX socket.
import { mkdtempSync, rmSync } from 'node:fs';
import { request } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Fastify, { type FastifyInstance } from 'fastify';
import { afterEach, describe, expect, it } from 'vitest';
import { ManualClock } from '../../../src/clock.js';
import { MessageType } from '../../../src/codec/types.js';
import { openMemoryStore } from '../../../src/store/open.js';
import { historyCommand } from '../../../src/visualizer/commands.js';
import { layoutRunning } from '../../../src/visualizer/elk-worker.js';
import { uiDepsOf, uiPlugin } from '../../../src/visualizer/ui-plugin.js';
import { startUiRelay } from '../../../src/visualizer/ui-relay.js';
import { clientMessage } from '../../helpers/test-client.js';
import { bindClient, startTestServer, type TestServer } from '../../helpers/test-server.js';

/** Reads server-sent events until `until` is satisfied (or the time is up); `onEvent` sees each as it comes. */
function readEvents(url: string, until: (events: { event: string; data: unknown }[]) => boolean, onEvent: () => void, timeoutMs = 10_000) {
  return new Promise<{ event: string; data: unknown }[]>((resolve, reject) => {
    const events: { event: string; data: unknown }[] = [];
    const req = request(url, (res) => {
      let buffer = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => {
        buffer += chunk;
        let end;
        while ((end = buffer.indexOf('\n\n')) >= 0) {
          const block = buffer.slice(0, end);
          buffer = buffer.slice(end + 2);
          const event = /^event: (.*)$/m.exec(block)?.[1] ?? 'message';
          const data = JSON.parse(/^data: (.*)$/m.exec(block)?.[1] ?? 'null') as unknown;
          events.push({ event, data });
          onEvent();
        }
        if (until(events)) {
          req.destroy();
          resolve(events);
        }
      });
    });
    req.on('error', (e) => (events.length > 0 ? resolve(events) : reject(e)));
    setTimeout(() => (req.destroy(), resolve(events)), timeoutMs);
    req.end();
  });
}

describe('the /ui plugin', () => {
  let server: TestServer | undefined;
  let web: FastifyInstance | undefined;
  afterEach(async () => {
    await web?.close();
    await server?.stop();
    web = server = undefined;
  });

  async function start(): Promise<{ server: TestServer; web: FastifyInstance }> {
    const started = await startTestServer(await openMemoryStore(), undefined, new ManualClock(Date.now()));
    server = started;
    web = Fastify();
    await web.register(uiPlugin(uiDepsOf(() => started.app)));
    return { server: started, web };
  }

  it('serves the page with its own script and style, nothing from elsewhere', async () => {
    const { web } = await start();
    const page = await web.inject('/ui');
    expect(page.statusCode).toBe(200);
    expect(page.headers['content-type']).toMatch(/^text\/html/);
    const urls = [...page.body.matchAll(/(?:src|href)="([^"]+)"/g)].map((m) => m[1]);
    expect(urls.sort()).toEqual(['/ui/app.css', '/ui/app.js']);
    expect(page.body).not.toMatch(/https?:\/\//);
    for (const url of urls) expect((await web.inject(url!)).statusCode).toBe(200);
    expect((await web.inject('/ui/app.js')).body).toContain('EventSource');
  });

  it('draws the charts from the layouts computed ahead: no ELK worker starts with the daemon or the page', async () => {
    // ELK's layout cost 0.7-2 s of CPU on the daemon's pinned core in its first seconds of serving.
    const { web } = await start();
    await web.ready();
    expect((await web.inject('/ui')).statusCode).toBe(200);
    expect(layoutRunning()).toBe(false);
    const charts = (await web.inject('/ui/api/charts')).json<Record<string, string>>();
    expect(Object.keys(charts).sort()).toEqual(['lease', 'server', 'transaction']);
    expect(layoutRunning()).toBe(false);
  });

  it('draws the three charts with a count slot in every state', async () => {
    const { web } = await start();
    const charts = (await web.inject('/ui/api/charts')).json<Record<string, string>>();
    expect(Object.keys(charts).sort()).toEqual(['lease', 'server', 'transaction']);
    for (const state of ['offered', 'leased', 'leased.bound', 'leased.renewing', 'leased.rebinding', 'expired', 'declined', 'released', 'reclaimed']) {
      expect(charts['lease']).toContain(`data-count-for="${state}"`);
    }
    expect(charts['server']).toContain('data-state="serving.running"');
  });

  it('counts leases per state and pools, and streams transitions and fresh counts live', async () => {
    const { server, web } = await start();
    const address = await web.listen({ port: 0, host: '127.0.0.1' });
    let subscribed!: () => void;
    const firstEvent = new Promise<void>((r) => (subscribed = r));
    const events = readEvents(`${address}/ui/api/events`, (evs) =>
      evs.some((e) => e.event === 'snapshot' && ((e.data as { counts: { lease: Record<string, number> } }).counts.lease['leased.bound'] ?? 0) === 1),
    () => subscribed());
    // The stream's first event is sent once it is subscribed to transitions: only then does the client bind.
    await firstEvent;
    const { ip } = await bindClient(server, { mac: '02:00:5e:10:00:31' });
    const seen = await events;
    expect(seen[0]!.event).toBe('snapshot');
    expect(seen.filter((e) => e.event === 'transition').map((e) => (e.data as { to: string }).to)).toEqual(['offered', 'bound']);
    const snapshot = (await web.inject('/ui/api/snapshot')).json<{ counts: { lease: Record<string, number>; server: Record<string, number> }; pools: { bound: number }[]; supervisor: { state: string } }>();
    expect(snapshot.counts.lease).toEqual({ leased: 1, 'leased.bound': 1 });
    expect(snapshot.counts.server).toEqual({ serving: 1, 'serving.running': 1 });
    expect(snapshot.pools[0]!.bound).toBe(1);
    expect(snapshot.supervisor.state).toBe('serving.running');
    expect(ip).toBeDefined();
  });

  it('finds a lease by MAC, IP or host name with its timers and history, and refuses empty queries', async () => {
    const { server, web } = await start();
    const client = { mac: '02:00:5e:10:00:32' };
    const { ip } = await bindClient(server, client);
    await server.exchange(clientMessage(client, MessageType.REQUEST, { ciaddr: ip }), { from: ip });
    for (const q of ['02:00:5e:10:00:32', ip]) {
      const found = (await web.inject(`/ui/api/search?q=${encodeURIComponent(q)}`)).json<{ leases: { ip: string; lease: { state: string }; timers: { name: string }[]; transitions: { to: string; message?: string }[] }[] }>();
      expect(found.leases).toHaveLength(1);
      const entry = found.leases[0]!;
      expect(entry.ip).toBe(ip);
      expect(entry.lease.state).toBe('bound');
      expect(entry.timers.map((t) => t.name)).toEqual(['T1 (renew)', 'T2 (rebind)', 'expiry', 'grace ends']);
      expect(entry.transitions.map((t) => t.to)).toEqual(['offered', 'bound', 'bound']);
      expect(entry.transitions[2]!.message).toContain(`(ciaddr ${ip})`);
    }
    expect((await web.inject('/ui/api/search?q=nobody.example')).json()).toMatchObject({ leases: [] });
    expect((await web.inject('/ui/api/search?q=')).statusCode).toBe(400);
    expect((await web.inject('/ui/api/history?mac=a&ip=b')).statusCode).toBe(400);
  });

  it('answers `actor-dhcpd history` over a UNIX socket', async () => {
    const { server, web } = await start();
    const dir = mkdtempSync(join(tmpdir(), 'ui-sock-'));
    try {
      const socket = join(dir, 'control.sock');
      web.get('/v1/secret', async () => 'not for the relay');
      await web.listen({ path: socket });
      const { ip } = await bindClient(server, { mac: '02:00:5e:10:00:33' });
      const out = await historyCommand(['--mac', '02:00:5e:10:00:33', '--socket', socket]);
      expect(out.code).toBe(0);
      expect(out.stdout).toContain(`${ip}  bound  hw:1:02:00:5e:10:00:33`);
      expect(out.stdout).toMatch(/offered → bound {2}lease\.commit {2}xid=0x/);
      // `actor-dhcpd ui` relays GET /ui… from loopback to the socket, and nothing else.
      const relay = await startUiRelay(socket, '127.0.0.1', 0);
      try {
        const page = await fetch(relay.url);
        expect(page.status).toBe(200);
        expect(await page.text()).toContain('<title>actor-dhcpd');
        expect((await fetch(relay.url.replace('/ui', '/ui/api/snapshot'))).status).toBe(200);
        expect((await fetch(relay.url.replace('/ui', '/v1/secret'))).status).toBe(404);
        expect((await fetch(relay.url, { method: 'POST' })).status).toBe(404);
      } finally {
        await relay.close();
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
