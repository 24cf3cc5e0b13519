// The store the daemon writes through: the opened store, then the lease history recorder (transitions go into the
// lease's own write), then the monitor that reports when writes start and stop failing.
import type { Clock } from '../clock.js';
import type { ServerConfig } from '../config/types.js';
import type { TransitionFanout } from '../leases/transition-fanout.js';
import type { Logger } from '../log.js';
import type { Stats } from '../server/stats.js';
import { HistoryRecorder } from '../store/history-recorder.js';
import type { LeaseStore } from '../store/types.js';
import { MonitoredStore } from '../supervisor/store-monitor.js';

export function storeChain(opened: LeaseStore, deps: {
  readonly config: () => ServerConfig;
  readonly transitions: TransitionFanout;
  readonly clock: Clock;
  readonly log: Logger;
  readonly stats: Stats;
}): { readonly history: HistoryRecorder; readonly store: MonitoredStore } {
  const { config, clock, log, stats } = deps;
  const history = new HistoryRecorder(opened, () => config().history.perLease);
  deps.transitions.subscribe((t) => history.record(t));
  const store = new MonitoredStore(history, clock, {
    onUnwritable: (err) => {
      stats.error(err.category);
      stats.count(stats.events, 'store.unwritable');
      log.error({ evt: 'store.unwritable', err }, 'lease store not writable: no new leases are granted');
    },
    onWritable: (downMs, failedWrites) => {
      stats.count(stats.events, 'store.writable');
      log.warn({ evt: 'store.writable', downMs, failedWrites }, 'lease store writable again: granting leases');
    },
  });
  return { history, store };
}
