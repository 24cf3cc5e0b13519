// What a reload does in the model: the new config is in force, and an offer it no longer allows (subnet gone,
// address out of every pool, reserved for another client) is withdrawn; bindings stay, for renewals to NAK.
import type { ServerConfig } from '../../src/config/types.js';
import { seen } from './coverage.js';
import { Model } from './model.js';

export function reloaded(m: Model, config: ServerConfig): void {
  m.config = config;
  for (const [ip, offer] of [...m.offers]) {
    const kind = m.held(ip).kind;
    if (kind !== 'offer' && kind !== 'maybe') continue;
    const subnet = config.subnets.find((s) => s.id === offer.subnetId);
    if (subnet !== undefined && m.valid(subnet, ip, Model.client(offer.client))) continue;
    // A 'maybe' offer may already be gone; if not, the reload withdrew it: free either way.
    m.offers.delete(ip);
    seen('reload:offer-withdrawn');
  }
}
