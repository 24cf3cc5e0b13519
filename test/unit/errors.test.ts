// Every error code in the registry is documented for operators (docs/errors.md), and nothing documented is stale.
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { classify, CodecError, DhcpdError, ERROR_CODES, LeaseError, NetError, StoreError } from '../../src/errors.js';

const doc = readFileSync(new URL('../../docs/errors.md', import.meta.url), 'utf8');

function sources(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    return statSync(path).isDirectory() ? sources(path) : path.endsWith('.ts') ? [path] : [];
  });
}

describe('error registry', () => {
  it('documents every code with its category', () => {
    const missing = Object.entries(ERROR_CODES)
      .filter(([code, spec]) => !new RegExp(`^\\|\\s*\`?${code}\`?\\s*\\|\\s*${spec.category}\\s*\\|`, 'm').test(doc))
      .map(([code]) => code);
    expect(missing).toEqual([]);
  });

  it('documents no code that does not exist', () => {
    const documented = [...doc.matchAll(/DHCPD_ERR_[A-Z_]+/g)].map((m) => m[0]);
    expect(documented.filter((code) => !(code in ERROR_CODES))).toEqual([]);
  });

  it('documents only codes the daemon emits: each is raised (a quoted literal) somewhere in src/ besides the registry', () => {
    const srcDir = new URL('../../src/', import.meta.url).pathname;
    const registry = readFileSync(join(srcDir, 'errors.ts'), 'utf8');
    // errors.ts itself raises DHCPD_ERR_UNKNOWN (classify); its table of codes does not count as raising one.
    const code = sources(srcDir).filter((f) => !f.endsWith('/src/errors.ts')).map((f) => readFileSync(f, 'utf8')).join('\n')
      + registry.slice(registry.indexOf('} as const satisfies'));
    const silent = Object.keys(ERROR_CODES).filter((c) => !new RegExp(`['"\`]${c}['"\`]`).test(code));
    expect(silent).toEqual([]);
  });

  it('classifies anything thrown into a coded error with its cause', () => {
    const enobufs = Object.assign(new Error('send ENOBUFS'), { code: 'ENOBUFS' });
    const net = classify(enobufs);
    expect(net).toBeInstanceOf(NetError);
    expect(net).toMatchObject({ code: 'DHCPD_ERR_NET_SEND', category: 'network', transient: true, cause: enobufs });
    const unknown = classify('boom');
    expect(unknown).toBeInstanceOf(DhcpdError);
    expect(unknown.code).toBe('DHCPD_ERR_UNKNOWN');
  });

  it('captures no stack for verdicts about a packet (thousands a second under a flood), and keeps it for the rest', () => {
    const frames = (e: Error) => (e.stack ?? '').split('\n').filter((l) => l.trim().startsWith('at ')).length;
    expect(frames(new CodecError('DHCPD_ERR_CODEC_TRUNCATED', 'short'))).toBe(0);
    expect(frames(new LeaseError('DHCPD_ERR_LEASE_POOL_EXHAUSTED', 'full'))).toBe(0);
    expect(frames(new NetError('DHCPD_ERR_NET_UNREACHABLE', 'ENETUNREACH'))).toBe(0);
    expect(frames(new StoreError('DHCPD_ERR_STORE_WRITE', 'disk'))).toBeGreaterThan(0);
    expect(frames(new Error('after'))).toBeGreaterThan(0);
  });
});
