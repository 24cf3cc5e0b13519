// A ControlApi over a real lease book and memory store for listener tests (the daemon tests use the real App).
import type { ControlApi } from '../../../src/control/api.js';
import type { LeaseRecord } from '../../../src/store/types.js';
import type { Health } from '../../../src/supervisor/health.js';

export const HEALTH_OK: Health = {
  status: 'ok',
  state: 'serving.running',
  serving: true,
  store: { writable: true, pendingWrites: 0, commits: 0 },
  restarts: {},
  children: {
    store: { status: 'running', restarts: 0 },
    ingress: { status: 'running', restarts: 0 },
    transactions: { active: 0, queued: 0 },
  },
};

export function fakeApi(overrides: Partial<ControlApi> = {}): ControlApi {
  const leases = new Map<string, LeaseRecord>();
  return {
    leases: { get: (ip) => leases.get(ip), values: () => leases.values() },
    release: async () => ({ released: false, reason: 'not-found' }),
    statistics: () => ({ counters: {}, pools: [], leases: 0, activeClients: 0, queuedRequests: 0, security: {} }),
    health: () => HEALTH_OK,
    runningConfig: () => ({}),
    testConfig: () => ({ ok: false, errors: [{ path: '$', message: 'not under test' }] }),
    reload: async () => ({ result: 'unchanged', durationMs: 0 }),
    ...overrides,
  };
}
