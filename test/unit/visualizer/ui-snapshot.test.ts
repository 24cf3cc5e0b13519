// The page's lease counts come from the states alone when the source can walk them without building records
// (10^6 packed leases would otherwise be materialised on every snapshot).
import { describe, expect, it } from 'vitest';
import { snapshotOf } from '../../../src/visualizer/ui-snapshot.js';
import type { UiDeps } from '../../../src/visualizer/ui-deps.js';

function depsWith(overrides: Partial<UiDeps>): UiDeps {
  return {
    leases: () => {
      throw new Error('leases() must not be walked when forEachLease is given');
    },
    transactionStates: () => ({}),
    serverState: () => 'serving.running',
    pools: () => [],
    health: () => ({}) as ReturnType<UiDeps['health']>,
    onLeaseTransition: () => () => {},
    history: { history: async () => [] },
    now: () => 0,
    ...overrides,
  };
}

describe('ui snapshot lease counts', () => {
  it('counts by chart id from forEachLease, parents included, without walking records', () => {
    const deps = depsWith({
      forEachLease: (fn) => {
        fn(1, 1, 'bound');
        fn(2, 1, 'bound');
        fn(3, 1, 'offered');
        fn(4, 1, 'renewing');
      },
    });
    expect(snapshotOf(deps).counts.lease).toEqual({ leased: 3, 'leased.bound': 2, 'leased.renewing': 1, offered: 1 });
  });
});
