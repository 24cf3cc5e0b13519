// One config per decision: a reload swaps the config between packets, and a decision that awaits its store write
// must not build its reply from the new config after computing the lease from the old one. The deps a decision
// gets read a fixed config; app.ts pins them once per config in force, not once per packet. Everything else is
// the shared deps themselves (their prototype), so the book, store and stats stay one.
import type { ServerConfig } from '../config/types.js';
import type { ServerDeps } from './deps.js';

export function pinDeps(base: ServerDeps, config: ServerConfig): ServerDeps {
  const pinned: ServerDeps = Object.create(base) as ServerDeps;
  return Object.defineProperty(pinned, 'config', { value: (): ServerConfig => config, enumerable: true });
}
