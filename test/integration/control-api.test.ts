// The control API of the real daemon, over its UNIX socket and over TCP with bearer tokens: health, leases of
// real clients, force-release, stats, config, config test, reload, security events, metrics; unauthenticated
// and malformed requests; the socket's life with the daemon's.
import { existsSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { controlRequest } from '../../src/control/client.js';
import { CLI, controlSocket, daemonConfig } from './harness/daemon.js';
import { udhcpc } from './harness/clients.js';
import { nsFetch } from './harness/ns-http.js';
import { exec, Proc, tempDir } from './harness/proc.js';
import { SERVER_KIND, integrationSkip, useLab } from './harness/suite.js';
import { promtoolCheckMetrics } from '../helpers/promtool.js';

const skip = integrationSkip('control-api') ?? (SERVER_KIND === 'kea' ? 'the control API is actor-dhcpd\'s own' : undefined);
const READ = 'read-token-for-tests-0001';
const ADMIN = 'admin-token-for-tests-0001';
/** Inside the lab's server namespace: its own network stack, so no clash with the host. */
const TCP_PORT = 9167;
const TCP = `http://127.0.0.1:${TCP_PORT}`;

const ipNum = (ip: string): number => ip.split('.').reduce((a, o) => a * 256 + Number(o), 0);

describe.skipIf(skip !== undefined)('control API (actor-dhcpd)', () => {
  const ctx = useLab({ direct: [{}, {}] }, {
    configure: (config) => {
      // A small body limit: a body over it still fits the socket buffer, so the 413 is read rather than an EPIPE.
      config['control'] = { ...(config['control'] as object), bodyLimitBytes: 16_384, tcp: { address: '127.0.0.1', port: TCP_PORT, readToken: READ, adminToken: ADMIN } };
    },
  });
  const socket = () => ({ socket: controlSocket(ctx.setup) });
  const get = async (path: string) => controlRequest(socket(), path);
  const post = async (path: string, body?: string, contentType?: string) =>
    controlRequest(socket(), path, { method: 'POST', ...(body === undefined ? {} : { body }), ...(contentType === undefined ? {} : { contentType }) });
  /** The CLI as an operator runs it, against this daemon's socket. */
  const cli = (...args: string[]) => exec(process.execPath, [CLI, ...args, '--socket', controlSocket(ctx.setup)], { timeoutMs: 30_000 });
  const leased: { ip: string; mac: string }[] = [];

  it('lists the leases of real clients, filtered by MAC, IP, subnet and state, page by page', async () => {
    for (const c of ctx.lab.direct) leased.push({ ip: (await udhcpc(c)).ip, mac: c.mac });
    const all = await get('/v1/leases');
    expect(all.status).toBe(200);
    const ips = (all.json as { leases: { ip: string; state: string }[] }).leases.map((l) => l.ip);
    expect(ips).toEqual([...leased.map((l) => l.ip)].sort((a, b) => ipNum(a) - ipNum(b)));
    const first = leased[0]!;
    const byMac = await get(`/v1/leases?mac=${first.mac.toUpperCase().replaceAll(':', '-')}`);
    expect(byMac.json).toMatchObject({ leases: [{ ip: first.ip, hwAddress: first.mac, state: 'bound', subnetId: 1 }] });
    expect((await get(`/v1/leases?ip=${first.ip}`)).json).toMatchObject({ leases: [{ ip: first.ip }] });
    expect((await get('/v1/leases?subnet=2')).json).toEqual({ leases: [] });
    expect(((await get('/v1/leases?state=bound')).json as { leases: unknown[] }).leases).toHaveLength(leased.length);
    const page1 = (await get('/v1/leases?limit=1')).json as { leases: { ip: string }[]; nextCursor: string };
    const page2 = (await get(`/v1/leases?limit=1&cursor=${page1.nextCursor}`)).json as { leases: { ip: string }[]; nextCursor?: string };
    expect([...page1.leases, ...page2.leases].map((l) => l.ip)).toEqual(ips);
    expect(page2.nextCursor).toBeUndefined();
  });

  it('refuses malformed queries and bodies with 400/413/415 and a registry code naming the field', async () => {
    const bad = async (res: Promise<{ status: number; json?: unknown }>, status: number, code: string) => {
      const r = await res;
      expect(r.status).toBe(status);
      expect(r.json).toMatchObject({ error: { code } });
      return r;
    };
    const mac = await bad(get('/v1/leases?mac=not-a-mac'), 400, 'DHCPD_ERR_CONTROL_BAD_REQUEST');
    expect(JSON.stringify(mac.json)).toContain('querystring/mac');
    await bad(get('/v1/leases?state=asleep'), 400, 'DHCPD_ERR_CONTROL_BAD_REQUEST');
    await bad(get('/v1/leases?limit=100000'), 400, 'DHCPD_ERR_CONTROL_BAD_REQUEST');
    await bad(get('/v1/leases?cursor=!!!'), 400, 'DHCPD_ERR_CONTROL_BAD_REQUEST');
    await bad(get('/v1/leases?colour=red'), 400, 'DHCPD_ERR_CONTROL_BAD_REQUEST');
    await bad(get('/v1/leases/300.1.2.3'), 400, 'DHCPD_ERR_CONTROL_BAD_REQUEST');
    await bad(post('/v1/reload', '{"trigger":'), 400, 'DHCPD_ERR_CONTROL_BAD_REQUEST');
    await bad(post('/v1/reload', '{"trigger":"cron"}'), 400, 'DHCPD_ERR_CONTROL_BAD_REQUEST');
    await bad(post('/v1/reload', 'trigger=cli', 'application/x-www-form-urlencoded'), 415, 'DHCPD_ERR_CONTROL_BAD_REQUEST');
    await bad(post('/v1/config/test', JSON.stringify({ pad: 'x'.repeat(64 * 1024) })), 413, 'DHCPD_ERR_CONTROL_BODY_TOO_LARGE');
    await bad(get('/v2/leases'), 404, 'DHCPD_ERR_CONTROL_NOT_FOUND');
  });

  it('shows one lease with its recent history, and 404 for an address without one', async () => {
    const { ip } = leased[0]!;
    const res = await get(`/v1/leases/${ip}`);
    expect(res.status).toBe(200);
    const body = res.json as { lease: { state: string }; history: { to: string }[] };
    expect(body.lease.state).toBe('bound');
    expect(body.history.map((h) => h.to)).toEqual(expect.arrayContaining(['offered', 'bound']));
    expect((await get('/v1/leases/198.51.100.250')).json).toMatchObject({ error: { code: 'DHCPD_ERR_LEASE_NOT_FOUND' } });
  });

  it('force-releases a lease: stored, logged as lease.released, and 409 the second time', async () => {
    const { ip } = leased[1]!;
    const res = await post(`/v1/leases/${ip}/release`);
    expect(res.status).toBe(200);
    expect(res.json).toMatchObject({ released: true, lease: { ip, state: 'released' } });
    const line = await ctx.server.waitForEvt('lease.released', (l) => l['ip'] === ip);
    expect(line).toMatchObject({ reason: 'admin-release', by: 'control-socket' });
    expect((await get(`/v1/leases/${ip}`)).json).toMatchObject({ lease: { state: 'released' } });
    expect((await post(`/v1/leases/${ip}/release`)).json).toMatchObject({ error: { code: 'DHCPD_ERR_LEASE_NOT_HELD' } });
  });

  it('serves statistics, the running config (tokens hidden) and the OpenAPI document', async () => {
    const stats = (await get('/v1/stats')).json as { counters: { received: Record<string, number> }; pools: { subnet: string }[] };
    expect(stats.counters.received['DISCOVER']).toBeGreaterThanOrEqual(2);
    expect(stats.pools.map((p) => p.subnet)).toContain('198.51.100.0/24');
    const config = (await get('/v1/config')).text;
    expect(config).toContain('"198.51.100.100"');
    expect(config).not.toContain(ADMIN);
    const ui = await get('/ui');
    expect(ui.status).toBe(200);
    expect(ui.contentType).toContain('text/html');
    const doc = (await get('/v1/openapi.json')).json as { paths: Record<string, unknown> };
    expect(Object.keys(doc.paths)).toEqual(expect.arrayContaining(['/v1/leases', '/v1/leases/{ip}', '/v1/leases/{ip}/release', '/v1/stats',
      '/v1/health', '/v1/config', '/v1/config/test', '/v1/reload', '/v1/security/events', '/metrics']));
  });

  it('tests a posted config without applying it: ok, or each error with its JSON path', async () => {
    const valid = daemonConfig({ stateDir: ctx.setup.stateDir });
    expect((await post('/v1/config/test', JSON.stringify(valid))).json).toEqual({ valid: true });
    const broken = { ...valid, subnets: [{ subnet: '198.51.100.0/24', pools: ['198.51.100.10-198.51.101.5'], leasetime: 5 }] };
    const res = await post('/v1/config/test', JSON.stringify(broken));
    expect(res.status).toBe(422);
    const error = (res.json as { error: { code: string; details: { issues: { path: string }[] } } }).error;
    expect(error.code).toBe('DHCPD_ERR_CONFIG_INVALID');
    expect(error.details.issues.map((i) => i.path)).toContain('$.subnets[0].leasetime');
    const syntax = await post('/v1/config/test', '{"subnets": [');
    expect(syntax.json).toMatchObject({ error: { code: 'DHCPD_ERR_CONFIG_SYNTAX', details: { issues: [{ path: '$' }] } } });
    // Nothing was applied: the running config still has both subnets.
    expect(((await get('/v1/config')).json as { subnets: unknown[] }).subnets).toHaveLength(2);
  });

  it('answers reload and security events through the injected functions', async () => {
    const reload = await post('/v1/reload', '{"trigger":"api"}');
    expect([200, 422]).toContain(reload.status);
    expect(reload.json).toHaveProperty('result');
    expect(await ctx.server.waitForEvt('control.reload')).toMatchObject({ trigger: 'api' });
    const events = await get('/v1/security/events?limit=10');
    expect(events.status).toBe(200);
    expect(events.json).toHaveProperty('events');
  });

  it('exposes /metrics that promtool accepts, with the real traffic counted', async () => {
    const res = await get('/metrics');
    expect(res.status).toBe(200);
    expect(res.contentType).toContain('text/plain');
    expect(res.text).toMatch(/^actor_dhcpd_packets_received_total\{type="DISCOVER"\} [1-9]/m);
    expect(res.text).toMatch(/^actor_dhcpd_reply_latency_seconds_count\{type="ACK"\} [1-9]/m);
    expect(res.text).toMatch(/^actor_dhcpd_store_commit_batch_writes_count [1-9]/m);
    expect(res.text).toContain('actor_dhcpd_pool_addresses{subnet_id="1",subnet="198.51.100.0/24",pool="198.51.100.100-198.51.100.199"} 100');
    const check = await promtoolCheckMetrics(res.text);
    expect(check).toEqual({ code: 0, output: '' });
  });

  it('the CLI lists leases as a table or JSON, shows one lease, stats, health and reload', async () => {
    const { ip, mac } = leased[0]!;
    const table = await cli('leases');
    expect(table.code).toBe(0);
    expect(table.stdout).toMatch(/^IP\s+STATE\s+MAC/m);
    expect(table.stdout).toContain(`${ip}`);
    const json = await cli('leases', '--mac', mac, '--json');
    expect(JSON.parse(json.stdout)).toMatchObject([{ ip, hwAddress: mac }]);
    expect((await cli('leases', '--state', 'released', '--json')).stdout).toContain(leased[1]!.ip);
    const one = await cli('lease', ip);
    expect(one.stdout).toContain('bound');
    expect((await cli('lease', '198.51.100.250')).code).toBe(1);
    expect((await cli('stats')).stdout).toMatch(/198\.51\.100\.0\/24\s+100\s/);
    const health = await cli('health');
    expect(health.code).toBe(0);
    expect(health.stdout).toContain('status: ok');
    expect(JSON.parse((await cli('health', '--json')).stdout)).toMatchObject({ status: 'ok' });
    const reload = await cli('reload', '--json');
    expect(JSON.parse(reload.stdout)).toHaveProperty('result');
    expect(await ctx.server.waitForEvt('control.reload', (l) => l['trigger'] === 'cli')).toBeDefined();
  });

  it('the CLI says clearly when no daemon runs (exit 3) and rejects bad usage (exit 2)', async () => {
    const none = await exec(process.execPath, [CLI, 'leases', '--socket', join(tempDir('none'), 'control.sock')], { timeoutMs: 30_000 });
    expect(none.code).toBe(3);
    expect(none.stderr).toContain('DHCPD_ERR_CONTROL_NO_DAEMON');
    expect(none.stderr).toContain('--socket');
    expect((await cli('leases', '--colour', 'red')).code).toBe(2);
    expect((await cli('lease')).code).toBe(2);
  });

  it('listens on its socket with mode 0660 and reports health', async () => {
    expect(statSync(controlSocket(ctx.setup)).mode & 0o777).toBe(0o660);
    const res = await controlRequest(socket(), '/v1/health');
    expect(res.status).toBe(200);
    expect(res.json).toMatchObject({ status: 'ok', serving: true, children: { store: { status: 'running' }, ingress: { status: 'running' } } });
  });

  it('over TCP wants a bearer token: 401 without, 403 for a write with the read token, 200 with the right one', async () => {
    const tcp = (path: string, opts: Parameters<typeof nsFetch>[2] = {}) => nsFetch(ctx.lab.server, `${TCP}${path}`, opts);
    const anonymous = await tcp('/v1/health');
    expect(anonymous.status).toBe(401);
    expect(anonymous.json).toMatchObject({ error: { code: 'DHCPD_ERR_CONTROL_UNAUTHORIZED' } });
    expect((await tcp('/v1/health', { authorization: 'Bearer not-the-token-000000' })).status).toBe(401);
    expect((await tcp('/v1/health', { authorization: `Bearer ${READ}` })).status).toBe(200);
    const scraped = await tcp('/metrics', { authorization: `Bearer ${READ}` });
    expect(scraped.status).toBe(200);
    expect(scraped.text).toContain('actor_dhcpd_build_info');
    expect((await tcp('/metrics')).status).toBe(401);
    expect((await tcp('/v1/config/test', { method: 'POST', authorization: `Bearer ${ADMIN}`, body: '{"subnets": 5}' })).json)
      .toMatchObject({ error: { code: 'DHCPD_ERR_CONFIG_INVALID' } });
    const write = await tcp('/v1/reload', { method: 'POST', authorization: `Bearer ${READ}`, body: '{}' });
    expect(write.status).toBe(403);
    expect(write.json).toMatchObject({ error: { code: 'DHCPD_ERR_CONTROL_FORBIDDEN' } });
  });

  it('a second daemon on the same control socket refuses to start (exit 1), naming the socket', async () => {
    const config = daemonConfig({ stateDir: tempDir('state2') });
    // Its own store and port: only the control socket is shared.
    Object.assign(config, { listen: { port: 10067, clientPort: 10068 }, control: { socket: controlSocket(ctx.setup) } });
    const file = join(tempDir('cfg'), 'second.json');
    writeFileSync(file, JSON.stringify(config));
    const second = new Proc('second', 'ip', ['netns', 'exec', ctx.lab.server, process.execPath, CLI, '--config', file]);
    const code = await Promise.race([second.exited, new Promise<'hung'>((r) => setTimeout(() => r('hung'), 20_000))]);
    if (code === 'hung') await second.stop('SIGKILL');
    expect(code, second.tail(40)).toBe(1);
    expect(second.tail(40)).toContain('DHCPD_ERR_CONTROL_LISTEN');
    expect(second.tail(40)).toContain(controlSocket(ctx.setup));
    // The first daemon's socket is untouched.
    expect((await controlRequest(socket(), '/v1/health')).status).toBe(200);
  });

  it('removes its socket when it stops, and takes over a stale one after a crash', async () => {
    await ctx.server.kill();
    expect(existsSync(controlSocket(ctx.setup))).toBe(true); // SIGKILL leaves it behind
    await ctx.startServer();
    await ctx.server.waitForEvt('control.stale_socket');
    expect((await controlRequest(socket(), '/v1/health')).status).toBe(200);
    expect(await ctx.server.stop()).toBe(0);
    expect(existsSync(controlSocket(ctx.setup))).toBe(false);
    await ctx.startServer();
  });
});
