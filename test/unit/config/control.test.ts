// The `control` section: socket path resolution, and no TCP listener without a token.
import { describe, expect, it } from 'vitest';
import { baseConfig, compile, compiled } from './helpers.js';

describe('control config', () => {
  it('resolves a relative socket path against the config directory', () => {
    expect(compiled({ ...baseConfig(), control: { socket: 'ctl.sock' } }).control.socket).toBe('/etc/actor-dhcpd/ctl.sock');
  });

  it('refuses a TCP listener without any token, naming the path', () => {
    const result = compile({ ...baseConfig(), control: { tcp: { port: 9167 } } });
    expect(result.ok).toBe(false);
    expect(!result.ok && result.errors).toEqual([expect.objectContaining({ path: '$.control.tcp', message: expect.stringContaining('needs readToken or adminToken') })]);
  });

  it('refuses short tokens and a read token equal to the admin token', () => {
    const short = compile({ ...baseConfig(), control: { tcp: { readToken: 'short' } } });
    expect(!short.ok && short.errors.map((e) => e.path)).toEqual(['$.control.tcp.readToken']);
    const same = 'same-token-0123456789';
    const equal = compile({ ...baseConfig(), control: { tcp: { readToken: same, adminToken: same } } });
    expect(!equal.ok && equal.errors.map((e) => e.path)).toEqual(['$.control.tcp.readToken']);
  });

  it('fills the TCP defaults when tokens are set', () => {
    const config = compiled({ ...baseConfig(), control: { tcp: { adminToken: 'admin-token-0123456789' } } });
    expect(config.control.tcp).toEqual({ address: '127.0.0.1', port: 9167, adminToken: 'admin-token-0123456789' });
  });
});
