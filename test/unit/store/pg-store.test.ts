// The PostgreSQL lease store on a throwaway cluster: the shared conformance suite, then what sharing adds —
// migrations and the schema check, versioned writes between two servers, the change feed, heartbeats, outages.
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PostgresLeaseStore, type PostgresStoreOptions } from '../../../src/store/postgres/pg-store.js';
import { checkSchema, knownVersion, migrate } from '../../../src/store/postgres/migrations.js';
import type { PostgresConfig } from '../../../src/config/types.js';
import type { RemoteChange } from '../../../src/store/shared.js';
import { startPgCluster, type PgCluster } from '../../helpers/pg-cluster.js';
import { describeLeaseStoreConformance } from './conformance.js';
import { isTunable } from '../../../src/store/tunable.js';
import { AdaptiveTuner, type TuningPolicy } from '../../../src/tuning/adaptive-tuner.js';
import { ManualClock } from '../../../src/clock.js';
import { startTestDaemon } from '../../helpers/test-daemon.js';
import { LAB_CONFIG } from '../../helpers/lab-config.js';
import { describeHistoryConformance } from './history-conformance.js';
import { collect, del, makeRecord, put, settle } from './helpers.js';

let cluster: PgCluster;
let databases = 0;

beforeAll(async () => {
  cluster = await startPgCluster({ durable: false });
  const client = new pg.Client(connection('actor_dhcpd'));
  await client.connect();
  await migrate(client);
  await client.end();
  await cluster.psql('ALTER DATABASE actor_dhcpd WITH is_template true');
}, 120_000);
afterAll(async () => cluster?.destroy(), 60_000);

function connection(database: string): pg.ClientConfig {
  return { host: cluster.socketDir, port: cluster.port, user: cluster.user, database };
}

function pgConfig(database: string, overrides: Partial<PostgresConfig> = {}): PostgresConfig {
  return {
    host: cluster.socketDir, port: cluster.port, database, user: cluster.user, poolSize: 4,
    connectTimeoutMs: 1000, statementTimeoutMs: 2000, pollIntervalMs: 200, ...overrides,
  };
}

/** A fresh, migrated database cloned from the template. */
async function freshDatabase(): Promise<string> {
  const name = `t${process.pid}_${++databases}`;
  await cluster.psql(`CREATE DATABASE ${name} TEMPLATE actor_dhcpd`);
  return name;
}

function storeOn(database: string, options: Partial<PostgresStoreOptions> = {}): PostgresLeaseStore {
  return new PostgresLeaseStore({ config: pgConfig(database), serverName: 'a', ...options });
}

/** One database for the conformance runs, emptied before each (cheaper than a new database per test). */
let conformanceDb: string | undefined;
async function emptiedDatabase(): Promise<string> {
  conformanceDb ??= await freshDatabase();
  const client = new pg.Client(connection(conformanceDb));
  await client.connect();
  await client.query('TRUNCATE leases, servers');
  await client.end();
  return conformanceDb;
}

describeLeaseStoreConformance('PostgreSQL (throwaway cluster)', async () => ({
  store: storeOn(await emptiedDatabase()),
  dispose: async () => undefined,
}));

describeLeaseStoreConformance('PostgreSQL, commitIntervalMs 5 and maxBatch 7', async () => ({
  store: storeOn(await emptiedDatabase(), { commitIntervalMs: 5, maxBatch: 7 }),
  dispose: async () => undefined,
}));

/** One statement on a database of the cluster: rows as objects. */
async function sqlOn(database: string, sql: string): Promise<Record<string, unknown>[]> {
  const client = new pg.Client(connection(database));
  await client.connect();
  try {
    return (await client.query(sql)).rows;
  } finally {
    await client.end();
  }
}

describeHistoryConformance('PostgreSQL', async () => {
  const database = await freshDatabase();
  return {
    open: async ({ perLease, retentionMs, now }) => {
      const store = storeOn(database, {
        now, history: { ...(perLease === undefined ? {} : { perLease }), ...(retentionMs === undefined ? {} : { retentionMs }) },
      });
      await store.open();
      return store;
    },
    // A failing statement late in the transaction: the lease's upsert before it must be rolled back with it.
    failCommits: async (_store, fail) => {
      await sqlOn(database, fail
        ? 'ALTER TABLE lease_history ADD CONSTRAINT failing CHECK (false) NOT VALID'
        : 'ALTER TABLE lease_history DROP CONSTRAINT failing');
    },
    storedEntries: async () => Number((await sqlOn(database, 'SELECT count(*) AS n FROM lease_history'))[0]?.n),
    dispose: async () => undefined,
  };
});

async function until<T>(probe: () => T | undefined, timeoutMs = 5000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = probe();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await new Promise((r) => setTimeout(r, 20));
  }
}

describe('PostgreSQL schema migrations', () => {
  it('migrate creates the schema once and is idempotent; the daemon checks the version at open', async () => {
    await cluster.psql(`CREATE DATABASE m${process.pid}`);
    const client = new pg.Client(connection(`m${process.pid}`));
    await client.connect();
    try {
      await expect(checkSchema(client)).rejects.toMatchObject({ code: 'DHCPD_ERR_STORE_SCHEMA', message: expect.stringContaining('actor-dhcpd migrate') });
      const first = await migrate(client);
      expect(first).toMatchObject({ from: 0, to: knownVersion() });
      expect(first.applied[0]).toBe('001_leases');
      expect(await migrate(client)).toEqual({ from: knownVersion(), to: knownVersion(), applied: [] });
      await expect(checkSchema(client)).resolves.toBeUndefined();
    } finally {
      await client.end();
    }
  });

  it('a daemon refuses a database whose schema is newer than it knows, and one never migrated', async () => {
    const newer = await freshDatabase();
    const client = new pg.Client(connection(newer));
    await client.connect();
    await client.query(`INSERT INTO actor_dhcpd_schema (version, name) VALUES (${knownVersion() + 1}, 'future')`);
    await client.end();
    await expect(storeOn(newer).open()).rejects.toMatchObject({
      code: 'DHCPD_ERR_STORE_SCHEMA',
      message: expect.stringContaining('newer than this daemon knows'),
    });
    await cluster.psql(`CREATE DATABASE u${process.pid}`);
    await expect(storeOn(`u${process.pid}`).open()).rejects.toMatchObject({ message: expect.stringContaining('migrate') });
  });
});

describe('PostgreSQL store shared by two servers', () => {
  it('the database decides: a write based on a version another server replaced loses, atomically with its request', async () => {
    const database = await freshDatabase();
    let conflicts = 0;
    const telemetry = { conflictLost: () => conflicts++, remoteChange: () => undefined, attach: () => undefined, connectionError: () => undefined };
    const a = storeOn(database, { serverName: 'a' });
    const b = storeOn(database, { serverName: 'b', telemetry });
    await a.open();
    try {
      await a.write([put(makeRecord('198.51.100.100', 'c1'))]);
      // b starts after that commit and has not read the row, so the address looks free to it (opening b before
      // a's write would race a's notification against b's write). It tries the address for another client, with
      // a second write in the same request: both must be refused.
      await b.open();
      const seenByB: RemoteChange[] = [];
      b.watchRemote((c) => seenByB.push(c));
      const outcome = await settle(b.write([put(makeRecord('198.51.100.100', 'c2')), put(makeRecord('198.51.100.101', 'c2'))]));
      expect(outcome.ok).toBe(false);
      expect(outcome.ok ? undefined : outcome.error).toMatchObject({ code: 'DHCPD_ERR_LEASE_TAKEN', details: { ip: '198.51.100.100', holder: 'c1' } });
      expect(conflicts).toBe(1); // one request lost (its two writes together)
      expect((await a.get('198.51.100.100'))?.context.clientKey).toBe('c1');
      expect(await a.get('198.51.100.101')).toBeUndefined();
      // The loser learned the winning row at once.
      expect(seenByB.find((c) => c.ip === '198.51.100.100')?.record?.context.clientKey).toBe('c1');
      // Based on that row, b may now change it (e.g. the client renews with b).
      const renewed = makeRecord('198.51.100.100', 'c1', { state: 'renewing' });
      await b.write([put(renewed)]);
      expect(await a.get('198.51.100.100')).toEqual(renewed);
      // Two servers writing the identical record (the same timer firing on both) both succeed.
      const seenByA = await until(() => (a.health().commits > 0 ? true : undefined));
      expect(seenByA).toBe(true);
    } finally {
      await a.close();
      await b.close();
    }
  });

  it('history: a losing write stores none of its transitions, and the same timer fired on two servers is kept once', async () => {
    const database = await freshDatabase();
    const a = storeOn(database, { serverName: 'a' });
    const b = storeOn(database, { serverName: 'b' });
    await a.open();
    await b.open();
    const ip = '198.51.100.120';
    const transition = (clientKey: string, event: string) => ({
      at: Date.now(), ip, subnetId: 1, clientKey, from: 'offered', to: 'bound', event,
    });
    try {
      // Both bind the free address for different clients at once: the database lets one win.
      const outcomes = await Promise.all([a, b].map((store, i) =>
        settle(store.write([{ kind: 'put', record: makeRecord(ip, `c${i}`), transitions: [transition(`c${i}`, 'lease.commit')] }]))));
      expect(outcomes.filter((o) => o.ok)).toHaveLength(1);
      const winner = `c${outcomes.findIndex((o) => o.ok)}`;
      // Both now know the winning row; both fire its expiry timer at once, writing the same record and
      // transition based on it: one writes, the other finds the row already saying so.
      const expired = makeRecord(ip, winner, { state: 'expired' });
      const fired = { kind: 'put' as const, record: expired, transitions: [{ ...transition(winner, 'lease.expire'), from: 'bound', to: 'expired' }] };
      await Promise.all([a.write([fired]), b.write([{ ...fired, record: structuredClone(expired) }])]);
      const history = await b.history(ip);
      expect(history.map((t) => [t.clientKey, t.event])).toEqual([[winner, 'lease.commit'], [winner, 'lease.expire']]);
    } finally {
      await a.close();
      await b.close();
    }
  });

  it('follows the other server: puts and deletes arrive through LISTEN/NOTIFY, in commit order', async () => {
    const database = await freshDatabase();
    const a = storeOn(database, { serverName: 'a' });
    const b = storeOn(database, { serverName: 'b', config: pgConfig(database, { pollIntervalMs: 60_000 }) });
    await a.open();
    await b.open();
    try {
      const seen: RemoteChange[] = [];
      b.watchRemote((c) => seen.push(c));
      await a.write([put(makeRecord('198.51.100.110', 'c1'))]);
      await a.write([put(makeRecord('198.51.100.111', 'c2')), del('198.51.100.110')]);
      await until(() => (seen.length >= 3 ? true : undefined), 3000);
      const last = new Map(seen.map((c) => [c.ip, c.record]));
      expect(last.get('198.51.100.110')).toBeUndefined();
      expect(last.get('198.51.100.111')?.context.clientKey).toBe('c2');
      // b's own writes are not fed back to it.
      await b.write([put(makeRecord('198.51.100.112', 'c3'))]);
      await new Promise((r) => setTimeout(r, 200));
      expect(seen.some((c) => c.ip === '198.51.100.112')).toBe(false);
      // An operator's DELETE becomes a tombstone the servers hear of.
      const client = new pg.Client(connection(database));
      await client.connect();
      await client.query(`DELETE FROM leases WHERE ip = '198.51.100.111'`);
      await client.end();
      await until(() => (seen.some((c) => c.ip === '198.51.100.111' && c.record === undefined) ? true : undefined), 3000);
      expect(await collect(b.loadAll())).toHaveLength(1);
    } finally {
      await a.close();
      await b.close();
    }
  });

  it('heartbeats: each server sees the other alive, and not once it stopped beating', async () => {
    const database = await freshDatabase();
    const heartbeat = { intervalMs: 100, peerTimeoutMs: 600, version: 'test' };
    const a = storeOn(database, { serverName: 'a', heartbeat });
    const b = storeOn(database, { serverName: 'b', heartbeat });
    await a.open();
    await b.open();
    try {
      // Each view comes from that server's own last beat: b's first beat may have run before a's first one landed.
      await until(() => (a.peerStatus()?.alive.has('b') === true && b.peerStatus()?.alive.has('a') === true ? true : undefined));
      expect([...(b.peerStatus()?.alive ?? [])].sort()).toEqual(['a', 'b']);
      expect([...(a.peerStatus()?.alive ?? [])].sort()).toEqual(['a', 'b']);
      await b.close();
      await until(() => (a.peerStatus()?.alive.has('b') === false ? true : undefined), 3000);
      // The view carries each peer's heartbeat age (the metrics show it): b's is past the timeout now.
      expect(a.peerStatus()?.ages?.get('b')).toBeGreaterThanOrEqual(600);
      expect(a.state().heartbeat).toMatchObject({ fresh: true });
    } finally {
      await a.close();
      await b.close();
    }
  });
});

describe('PostgreSQL store when the database goes away', () => {
  it('fails writes (no commit, no success) while the database is down, and recovers by itself', async () => {
    const database = await freshDatabase();
    const errors: string[] = [];
    const telemetry = { conflictLost: () => undefined, remoteChange: () => undefined, attach: () => undefined, connectionError: (source: string) => errors.push(source) };
    const store = storeOn(database, { telemetry });
    await store.open();
    try {
      await store.write([put(makeRecord('198.51.100.120', 'c1'))]);
      expect(store.state()).toMatchObject({ listening: true });
      await cluster.stop('fast');
      // The change feed's connection drops with the database: counted, and no longer listening.
      await until(() => (errors.includes('feed') ? true : undefined), 5000);
      expect(store.state().listening).toBe(false);
      const failed = await settle(store.write([put(makeRecord('198.51.100.121', 'c2'))]));
      expect(failed.ok).toBe(false);
      expect(failed.ok ? undefined : failed.error).toMatchObject({ code: 'DHCPD_ERR_STORE_WRITE' });
      expect(store.health().writable).toBe(false);
      await cluster.start();
      await store.write([put(makeRecord('198.51.100.122', 'c3'))]);
      expect(store.health().writable).toBe(true);
      expect((await collect(store.loadAll())).map((r) => r.context.ip)).toEqual(['198.51.100.120', '198.51.100.122']);
    } finally {
      await cluster.start();
      await store.close();
    }
  }, 30_000);
});

describe('PostgreSQL store under adaptive tuning', () => {
  const policy: TuningPolicy = {
    intervalMs: 1000, latencyBudgetMs: 20,
    commitIntervalMs: { min: 0, max: 8 }, maxBatch: { min: 2, max: 1000 }, cacheEntries: { min: 1024, max: 16_384 },
    overloadHeapGrowingPercent: 100, calmBackgroundNice: 10,
  };

  it('takes new commit limits from the next batch: six concurrent writes, one transaction, then at most two each', async () => {
    const batches: number[] = [];
    const store = storeOn(await freshDatabase(), { onCommit: (writes) => batches.push(writes) });
    await store.open();
    try {
      expect(isTunable(store)).toBe(true);
      const six = (from: number): Promise<void[]> =>
        Promise.all(Array.from({ length: 6 }, (_, i) => store.write([put(makeRecord(`198.51.100.${from + i}`, `c${from + i}`))])));
      await six(10);
      expect(batches).toEqual([6]);
      store.setCommitLimits({ maxBatch: 2, commitIntervalMs: 0 });
      expect(store.commitLimits()).toEqual({ maxBatch: 2, commitIntervalMs: 0 });
      await six(20);
      expect(batches.slice(1).reduce((a, b) => a + b, 0)).toBe(6);
      expect(Math.max(...batches.slice(1))).toBeLessThanOrEqual(2);
      expect(store.commitStats()).toMatchObject({ commits: batches.length, committedWrites: 12 });
      expect(() => store.setCommitLimits({ maxBatch: 0, commitIntervalMs: 0 })).toThrow(TypeError);
    } finally {
      await store.close();
    }
  }, 30_000);

  it('the tuner widens the window under many one-write commits and narrows it when they stop', async () => {
    const store = storeOn(await freshDatabase(), { commitIntervalMs: 0, maxBatch: 1000 });
    await store.open();
    const clock = new ManualClock();
    const changes: unknown[] = [];
    const tuner = new AdaptiveTuner(policy, { clock, log: { info: (line) => changes.push(line) }, commits: store, cache: () => ({ hits: 0, entries: 0 }), cacheTtlMs: 1 });
    try {
      tuner.start();
      clock.advance(1000); // the first look only takes the counters
      for (let i = 0; i < 120; i++) await store.write([put(makeRecord('198.51.100.30', `c${i}`))]);
      clock.advance(1000);
      expect(store.commitLimits().commitIntervalMs).toBe(1);
      expect(tuner.snapshot()).toMatchObject({ commitIntervalMs: 1, maxBatch: 1000 });
      expect(changes.filter((c) => (c as { knob?: string }).knob === 'commitIntervalMs'))
        .toEqual([expect.objectContaining({ evt: 'tuning.changed', from: 0, to: 1 })]);
      clock.advance(1000); // idle
      expect(store.commitLimits().commitIntervalMs).toBe(0);
    } finally {
      tuner.stop();
      await store.close();
    }
  }, 30_000);

  it('a daemon on PostgreSQL tunes it and shows the values in statistics', async () => {
    const store = storeOn(await freshDatabase(), { commitIntervalMs: 4, maxBatch: 300 });
    const daemon = startTestDaemon({ store, wire: { ...LAB_CONFIG, store: { kind: 'memory', path: 'unused', commitIntervalMs: 4, maxBatch: 300 } } });
    try {
      await daemon.app.ready;
      expect(daemon.app.statistics().tuning).toMatchObject({ commitIntervalMs: 4, maxBatch: 300 });
      daemon.clock.advance(1000);
      daemon.clock.advance(1000); // idle: the window halves, on the store itself
      expect(store.commitLimits()).toEqual({ commitIntervalMs: 2, maxBatch: 300 });
      expect(daemon.app.statistics().tuning).toMatchObject({ commitIntervalMs: 2, maxBatch: 300 });
    } finally {
      await daemon.stop();
    }
  }, 30_000);
});
