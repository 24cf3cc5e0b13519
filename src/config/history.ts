// The `history` section: how much of each lease's transition history the store keeps (docs/config.md).
import { z } from 'zod';

export const HistorySchema = z
  .strictObject({
    perLease: z
      .number()
      .int()
      .min(1)
      .max(10_000)
      .default(64)
      .describe('Transitions kept per address: older ones are dropped as new ones are written.'),
    retentionDays: z
      .number()
      .min(0.001)
      .max(3650)
      .default(30)
      .describe('Transitions older than this are deleted (swept at start and then hourly).'),
  })
  .describe('Lease history: every transition is stored with its lease, in the same commit.');

export interface HistoryConfig {
  readonly perLease: number;
  readonly retentionMs: number;
}

export function compileHistory(wire: z.output<typeof HistorySchema>): HistoryConfig {
  return { perLease: wire.perLease, retentionMs: Math.round(wire.retentionDays * 86_400_000) };
}
