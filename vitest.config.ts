import { defineConfig } from 'vitest/config';

// Two groups, run one after the other. Unit and property tests own their resources (temp dirs, their own
// PostgreSQL cluster on a socket in its temp dir, the in-memory transport), so their files run in parallel.
// Integration tests share network namespace names and UDP port 67, and measure real clients' timing: their files
// run one at a time, after the unit group, so no unit file competes with them for the CPU.
const shared = { testTimeout: 60_000, hookTimeout: 60_000 };

export default defineConfig({
  test: {
    projects: [
      {
        test: {
          ...shared,
          name: 'unit',
          maxWorkers: 2,
          include: ['test/unit/**/*.test.ts', 'property-tests/**/*.test.ts'],
          sequence: { groupOrder: 0 },
        },
      },
      {
        test: {
          ...shared,
          name: 'integration',
          include: ['test/integration/**/*.test.ts'],
          fileParallelism: false,
          sequence: { groupOrder: 1 },
        },
      },
    ],
  },
});
