// createStore honours store.kind: "level" writes LevelDB on disk, "memory" keeps leases in memory only.
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { createLogger } from '../../../src/log.js';
import { createStore } from '../../../src/store/factory.js';
import { MemoryLeaseStore } from '../../../src/store/memory-store.js';
import { baseConfig, compiled } from '../config/helpers.js';
import { describeLeaseStoreConformance } from './conformance.js';
import { makeRecord, makeTempDir, put } from './helpers.js';

const log = createLogger('silent');

describeLeaseStoreConformance('store.kind "memory" (MemoryLeaseStore)', async () => ({
  store: new MemoryLeaseStore(),
  dispose: async () => undefined,
}));

describe('createStore', () => {
  it('leaves pg unloaded unless the store is PostgreSQL: the daemon\'s start does not pay for it', () => {
    // The daemon's static imports, as `actor-dhcpd --version` loads them; pg is CommonJS, so require.cache lists it.
    const report = "import{createRequire}from'node:module';const r=createRequire(process.cwd()+'/');"
      + "process.on('exit',()=>console.log('pg loaded:',Object.keys(r.cache).some((f)=>f.includes('/node_modules/pg/'))))";
    const run = spawnSync(process.execPath, ['--import', 'tsx', '--import', `data:text/javascript,${encodeURIComponent(report)}`, 'src/cli.ts', '--version'], {
      encoding: 'utf8', cwd: join(import.meta.dirname, '../../..'),
    });
    expect(run.stdout).toContain('pg loaded: false');
  });

  it('store.kind "level" keeps leases in LevelDB at store.path', async () => {
    const temp = await makeTempDir();
    try {
      const path = join(temp.dir, 'leases');
      const store = await createStore(compiled({ ...baseConfig(), store: { kind: 'level', path } }), log);
      await store.open();
      await store.write([put(makeRecord('198.51.100.100', 'c1'))]);
      await store.close();
      expect(existsSync(join(path, 'CURRENT'))).toBe(true);
    } finally {
      await temp.remove();
    }
  });

  it('store.kind "memory" touches no disk and starts empty each time', async () => {
    const temp = await makeTempDir();
    try {
      const path = join(temp.dir, 'leases');
      const config = compiled({ ...baseConfig(), store: { kind: 'memory', path } });
      const first = await createStore(config, log);
      await first.open();
      await first.write([put(makeRecord('198.51.100.100', 'c1'))]);
      expect((await first.get('198.51.100.100'))?.context.clientKey).toBe('c1');
      await first.close();
      const second = await createStore(config, log);
      await second.open();
      expect(await second.get('198.51.100.100')).toBeUndefined();
      await second.close();
      expect(existsSync(path)).toBe(false);
    } finally {
      await temp.remove();
    }
  });

  it('a memory store used before open reports it, typed', async () => {
    const store = new MemoryLeaseStore();
    await expect(store.get('198.51.100.1')).rejects.toMatchObject({ code: 'DHCPD_ERR_STORE_UNAVAILABLE' });
  });
});
