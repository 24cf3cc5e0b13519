// The control API of the real daemon, over its UNIX socket and over TCP with bearer tokens: health, leases of
// real clients, force-release, stats, config, config test, reload, security events, metrics; unauthenticated
// and malformed requests; the socket's life with the daemon's.
import { existsSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { controlRequest } from '../../src/control/client.js';
import { CLI, controlSocket, daemonConfig } from './harness/daemon.js';
import { nsFetch } from './harness/ns-http.js';
import { Proc, tempDir } from './harness/proc.js';
import { SERVER_KIND, integrationSkip, useLab } from './harness/suite.js';

const skip = integrationSkip('control-api') ?? (SERVER_KIND === 'kea' ? 'the control API is actor-dhcpd\'s own' : undefined);
const READ = 'read-token-for-tests-0001';
const ADMIN = 'admin-token-for-tests-0001';
/** Inside the lab's server namespace: its own network stack, so no clash with the host. */
const TCP_PORT = 9167;
const TCP = `http://127.0.0.1:${TCP_PORT}`;

describe.skipIf(skip !== undefined)('control API (actor-dhcpd)', () => {
  const ctx = useLab({ direct: [{}, {}] }, {
    configure: (config) => {
      config['control'] = { ...(config['control'] as object), tcp: { address: '127.0.0.1', port: TCP_PORT, readToken: READ, adminToken: ADMIN } };
    },
  });
  const socket = () => ({ socket: controlSocket(ctx.setup) });

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
