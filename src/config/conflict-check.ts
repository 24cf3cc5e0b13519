// The `conflictCheck` section: probing an address with an ICMP echo before it is offered (the lease-allocation
// flow's "Check IP Conflict" step; RFC 2131 §4.4.1 recommends it, and ISC dhcpd does it by default).
import { z } from 'zod';

export const ConflictCheckSchema = z
  .strictObject({
    enabled: z.boolean().default(true).describe('Probe an address with an ICMP echo before offering it.'),
    timeoutMs: z.number().int().min(1).max(10_000).default(500).describe('How long to wait for an echo reply.'),
    maxCandidates: z
      .number()
      .int()
      .min(1)
      .max(16)
      .default(3)
      .describe('Addresses probed for one DISCOVER; when all answer, the DISCOVER goes unanswered.'),
    cacheSeconds: z.number().int().min(0).max(3600).default(5).describe('How long a silent probe is trusted.'),
    maxCacheEntries: z.number().int().min(1).max(1_000_000).default(4096).describe('Silent probes remembered.'),
    maxConcurrent: z
      .number()
      .int()
      .min(1)
      .max(100_000)
      .default(256)
      .describe('Probes in flight; beyond it an address is offered unprobed (counted).'),
  })
  .describe('ICMP echo probe of an address before it is offered.');

export type WireConflictCheck = z.output<typeof ConflictCheckSchema>;

/** The compiled policy (the wire shape is already what the domain needs). */
export interface ConflictCheckPolicy {
  readonly enabled: boolean;
  /** Milliseconds to wait for an echo reply. */
  readonly timeoutMs: number;
  /** Addresses probed (and found in use) for one DISCOVER before it is left unanswered. */
  readonly maxCandidates: number;
  /** Milliseconds a probe that got no reply is trusted for the same address. */
  readonly cacheMs: number;
  readonly maxCacheEntries: number;
  readonly maxConcurrent: number;
}

export function compileConflictCheck(wire: WireConflictCheck): ConflictCheckPolicy {
  const { cacheSeconds, ...rest } = wire;
  return { ...rest, cacheMs: cacheSeconds * 1000 };
}
