// Starts listening for other DHCP servers' replies on the client port (security.rogueDetection), once serving.
import type { Clock } from '../clock.js';
import type { ServerConfig } from '../config/types.js';
import { classify } from '../errors.js';
import type { Logger } from '../log.js';
import type { Security } from '../security/pipeline.js';
import { startRogueDetector, type RogueDetector } from '../security/rogue-detector.js';

export function startRogue(deps: {
  readonly config: () => ServerConfig;
  readonly ours: () => readonly string[];
  readonly clock: Clock;
  readonly log: Logger;
  readonly security: Security;
}, started: (detector: RogueDetector) => void): void {
  const { config, log } = deps;
  startRogueDetector({
    port: config().listen.clientPort,
    intervalMs: () => config().security.rogueDetection.reportIntervalMs,
    isOurs: (address) => address === config().serverId || deps.ours().includes(address),
    now: () => deps.clock.now(),
    report: (event) => deps.security.rogue(event),
    onError: (err) => log.warn({ evt: 'security.rogue_listener_failed', err: classify(err) }, 'rogue-server detection stopped'),
  }).then(started, (err: unknown) => {
    log.warn({ evt: 'security.rogue_listener_failed', err: classify(err) }, 'rogue-server detection not started');
  });
}
