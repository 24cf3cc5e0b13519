// The control listener: UNIX socket with mode 0660, stale and live sockets, TCP only with tokens, plugins,
// JSON errors with registry codes, closed cleanly.
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pino } from 'pino';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { FastifyPluginAsync } from 'fastify';
import type { ControlConfig } from '../../../src/config/types.js';
import { controlRequest } from '../../../src/control/client.js';
import { MAX_HELD } from '../../../src/control/held-listener.js';
import { bindControlServer, startControlServer, type ControlServer } from '../../../src/control/server.js';
import { fakeApi } from './fake-api.js';

const log = pino({ level: 'silent' });
let dir: string;
const servers: ControlServer[] = [];

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'ctl-'));
});
afterEach(async () => {
  for (const s of servers.splice(0)) await s.close();
  rmSync(dir, { recursive: true, force: true });
});

function config(extra: Partial<ControlConfig> = {}): ControlConfig {
  return { enabled: true, socket: join(dir, 'run', 'control.sock'), bodyLimitBytes: 1024 * 1024, ...extra };
}

async function start(cfg: ControlConfig, plugins: FastifyPluginAsync[] = []): Promise<ControlServer> {
  const server = await startControlServer({ config: cfg, api: fakeApi(), log, version: '0.0.0-test', plugins });
  servers.push(server);
  return server;
}

describe('control listener on a UNIX socket', () => {
  it('creates the socket (and its directory) with mode 0660 and answers over it', async () => {
    const server = await start(config());
    expect(statSync(server.socket).isSocket()).toBe(true);
    expect(statSync(server.socket).mode & 0o777).toBe(0o660);
    const res = await controlRequest({ socket: server.socket }, '/v1/health');
    expect(res.status).toBe(200);
    expect(res.json).toMatchObject({ status: 'ok', serving: true });
    expect(server.tcp).toBeUndefined();
  });

  it('removes the socket file when closed', async () => {
    const server = await start(config());
    await servers.pop()?.close();
    expect(existsSync(server.socket)).toBe(false);
  });

  it('replaces a stale socket left by a crashed daemon', async () => {
    const path = config().socket;
    execFileSync('mkdir', ['-p', join(dir, 'run')]);
    // Bound but never listening, and its process gone: what a SIGKILLed daemon leaves behind.
    execFileSync('python3', ['-c', `import socket; socket.socket(socket.AF_UNIX).bind(${JSON.stringify(path)})`]);
    expect(statSync(path).isSocket()).toBe(true);
    const server = await start(config());
    expect((await controlRequest({ socket: server.socket }, '/v1/health')).status).toBe(200);
  });

  it('refuses a socket another live process answers on, and leaves it alone', async () => {
    const path = config().socket;
    execFileSync('mkdir', ['-p', join(dir, 'run')]);
    const other: Server = createServer((c) => c.end());
    await new Promise<void>((r) => other.listen(path, r));
    try {
      await expect(start(config())).rejects.toMatchObject({ code: 'DHCPD_ERR_CONTROL_LISTEN', message: expect.stringContaining('another running daemon') });
      expect(statSync(path).isSocket()).toBe(true);
    } finally {
      await new Promise((r) => other.close(r));
    }
  });

  it('refuses to replace a path that is not a socket', async () => {
    execFileSync('mkdir', ['-p', join(dir, 'run')]);
    writeFileSync(config().socket, 'precious');
    await expect(start(config())).rejects.toMatchObject({ code: 'DHCPD_ERR_CONTROL_LISTEN', message: expect.stringContaining('not a socket') });
  });

  it('answers unknown paths and malformed requests with JSON errors carrying registry codes', async () => {
    const server = await start(config());
    const missing = await controlRequest({ socket: server.socket }, '/v1/nothing-here');
    expect(missing.status).toBe(404);
    expect(missing.json).toMatchObject({ error: { code: 'DHCPD_ERR_CONTROL_NOT_FOUND' } });
    const form = await controlRequest({ socket: server.socket }, '/v1/reload', { method: 'POST', body: 'a=b', contentType: 'application/x-www-form-urlencoded' });
    expect(form.status).toBe(415);
    expect(form.json).toMatchObject({ error: { code: 'DHCPD_ERR_CONTROL_BAD_REQUEST' } });
    const json = await controlRequest({ socket: server.socket }, '/v1/reload', { method: 'POST', body: '{"trigger":' });
    expect(json.status).toBe(400);
    expect(json.json).toMatchObject({ error: { code: 'DHCPD_ERR_CONTROL_BAD_REQUEST' } });
    // A POST without a body is an empty object.
    expect((await controlRequest({ socket: server.socket }, '/v1/reload', { method: 'POST' })).json).toMatchObject({ result: 'unchanged' });
  });

  it('serves the plugins it is given on the same listener', async () => {
    const ui: FastifyPluginAsync = async (app) => {
      app.get('/ui', async () => ({ page: 'ui' }));
    };
    const server = await start(config(), [ui]);
    expect((await controlRequest({ socket: server.socket }, '/ui')).json).toEqual({ page: 'ui' });
  });

  it('serves an OpenAPI document describing the /v1 endpoints', async () => {
    const server = await start(config());
    const res = await controlRequest({ socket: server.socket }, '/v1/openapi.json');
    expect(res.status).toBe(200);
    const doc = res.json as { openapi: string; paths: Record<string, unknown> };
    expect(doc.openapi).toMatch(/^3\./);
    expect(Object.keys(doc.paths)).toContain('/v1/health');
  });
});

describe('control listener bound before its API is built (the daemon builds it once it serves DHCP)', () => {
  it('holds a request sent in between and answers it once the API is built', async () => {
    const bound = await bindControlServer({ config: config(), log, version: '0.0.0-test' });
    servers.push(bound);
    expect(statSync(bound.socket).mode & 0o777).toBe(0o660);
    const early = controlRequest({ socket: bound.socket }, '/v1/health');
    await new Promise((r) => setTimeout(r, 50));
    await bound.serve(fakeApi());
    const res = await early;
    expect(res.status).toBe(200);
    expect(res.json).toMatchObject({ status: 'ok' });
  });

  it('tells when a request waits, so the daemon can build the API before it serves (a long restore)', async () => {
    const bound = await bindControlServer({ config: config(), log, version: '0.0.0-test' });
    servers.push(bound);
    let asked = 0;
    bound.whenWaiting(() => {
      asked++;
      void bound.serve(fakeApi());
    });
    const res = await controlRequest({ socket: bound.socket }, '/v1/health');
    expect(res.status).toBe(200);
    expect(asked).toBe(1);
  });

  it('answers 503 with a registry code beyond the requests it holds, and when the API cannot be built', async () => {
    const bound = await bindControlServer({ config: config(), log, version: '0.0.0-test' });
    servers.push(bound);
    const held = Array.from({ length: MAX_HELD }, () => controlRequest({ socket: bound.socket }, '/v1/health'));
    await new Promise((r) => setTimeout(r, 100));
    const over = await controlRequest({ socket: bound.socket }, '/v1/health');
    expect(over.status).toBe(503);
    expect(over.json).toMatchObject({ error: { code: 'DHCPD_ERR_CONTROL_UNAVAILABLE' } });
    const broken: FastifyPluginAsync = async () => {
      throw new Error('plugin broken');
    };
    await expect(bound.serve(fakeApi(), [broken])).rejects.toThrow(/plugin broken/);
    for (const res of await Promise.all(held)) expect(res.status).toBe(503);
    const after = await controlRequest({ socket: bound.socket }, '/v1/health');
    expect(after.json).toMatchObject({ error: { code: 'DHCPD_ERR_CONTROL_UNAVAILABLE', message: expect.stringContaining('plugin broken') } });
  });

  it('still refuses a socket another live process answers on before anything is built', async () => {
    const path = config().socket;
    execFileSync('mkdir', ['-p', join(dir, 'run')]);
    const other: Server = createServer((c) => c.end());
    await new Promise<void>((r) => other.listen(path, r));
    try {
      await expect(bindControlServer({ config: config(), log, version: '0.0.0-test' })).rejects.toMatchObject({ code: 'DHCPD_ERR_CONTROL_LISTEN' });
    } finally {
      await new Promise((r) => other.close(r));
    }
  });
});

describe('control listener on TCP', () => {
  const tokens = { readToken: 'read-token-0123456789', adminToken: 'admin-token-0123456789' };

  it('listens on TCP only when a token is configured', async () => {
    const server = await start(config({ tcp: { address: '127.0.0.1', port: 0 } }));
    expect(server.tcp).toBeUndefined();
  });

  it('wants a valid bearer token: 401 without or with a wrong one, 403 for a write with the read token', async () => {
    const server = await start(config({ tcp: { address: '127.0.0.1', port: 0, ...tokens } }));
    const tcp = { host: '127.0.0.1', port: server.tcp?.port ?? 0 };
    const none = await controlRequest(tcp, '/v1/health');
    expect(none.status).toBe(401);
    expect(none.json).toMatchObject({ error: { code: 'DHCPD_ERR_CONTROL_UNAUTHORIZED' } });
    expect((await controlRequest({ ...tcp, token: 'wrong-token-0123456789' }, '/v1/health')).status).toBe(401);
    expect((await controlRequest({ ...tcp, token: tokens.readToken }, '/v1/health')).status).toBe(200);
    const write = await controlRequest({ ...tcp, token: tokens.readToken }, '/v1/reload', { method: 'POST', body: '{}' });
    expect(write.status).toBe(403);
    expect(write.json).toMatchObject({ error: { code: 'DHCPD_ERR_CONTROL_FORBIDDEN' } });
    // The socket needs no token: its file mode is the access control.
    expect((await controlRequest({ socket: server.socket }, '/v1/health')).status).toBe(200);
  });

  it('fails with DHCPD_ERR_CONTROL_LISTEN and leaves the socket closed when the TCP port is taken', async () => {
    const taken: Server = createServer();
    await new Promise<void>((r) => taken.listen(0, '127.0.0.1', r));
    const port = (taken.address() as { port: number }).port;
    try {
      await expect(start(config({ tcp: { address: '127.0.0.1', port, ...tokens } }))).rejects.toMatchObject({ code: 'DHCPD_ERR_CONTROL_LISTEN' });
      expect(existsSync(config().socket)).toBe(false);
    } finally {
      await new Promise((r) => taken.close(r));
    }
  });
});
