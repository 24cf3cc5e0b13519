// The `listen.overload` section: overload control at the socket (src/net/overflow-shedding.ts, docs/transport.md).
import { z } from 'zod';

export const OverloadSchema = z
  .strictObject({
    discoverWaitMs: z
      .number()
      .int()
      .min(1)
      .max(10_000)
      .default(100)
      .describe('While the receive queue overflows, a DISCOVER that waited longer than this in it is dropped unread.'),
    overflowWindowMs: z
      .number()
      .int()
      .min(1)
      .max(60_000)
      .default(200)
      .describe('How long after the receive queue last overflowed such DISCOVERs are dropped.'),
  })
  .describe('Native transport: which requests go first when the server cannot keep up.');
