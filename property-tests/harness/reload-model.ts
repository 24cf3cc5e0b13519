// What a reload does in the model: the new config is in force, and an offer it no longer allows (subnet gone,
// address out of every pool, reserved for another client) is withdrawn; bindings stay, for renewals to NAK.
import type { ServerConfig, Subnet } from '../../src/config/types.js';
import { seen } from './coverage.js';
import { Model, intIp } from './model.js';
import type { Client, Timing } from './scenario.js';

export function reloaded(m: Model, config: ServerConfig, timing?: (subnetId: number) => Timing): void {
  m.config = config;
  m.generatedTiming = timing;
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

/**
 * Does a reservation the client can have now (free, or already its own) take precedence over its binding at `ip`
 * (src/server/reservation-move.ts)? 'maybe' when the reserved address is held by an offer the model cannot place.
 */
export function reservationMoves(m: Model, c: Client, subnet: Subnet, ip: string): boolean | 'maybe' {
  const r = m.reservationOf(c, subnet);
  if (r === undefined || intIp(r.address) === ip) return false;
  const h = m.held(intIp(r.address));
  if (h.kind === 'maybe') return 'maybe';
  return h.kind === 'free' || ((h.kind === 'binding' || h.kind === 'offer') && h.client === c.name);
}
