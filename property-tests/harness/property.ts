// The whole-server model property, shared by the property test (real server) and the mutant tests.
import fc from 'fast-check';
import type { LeaseStore } from '../../src/store/types.js';
import { commandArbs } from './arbitraries.js';
import type { Cmd } from './commands.js';
import { Model } from './model.js';
import { VARIANTS } from './scenario.js';
import { ServerUnderTest } from './server-under-test.js';
import type { DiskKind } from './crash-disk.js';

export interface ModelRunOptions {
  readonly disk?: DiskKind;
  readonly maxCommands?: number;
  readonly wrapStore?: (store: LeaseStore) => LeaseStore;
  /** The commands drawn from; the whole model's by default. */
  readonly arbs?: fc.Arbitrary<Cmd>[];
}

/** Runs one command list against a fresh server and model; throws the first invariant violation. */
export async function runCommands(commands: Iterable<Cmd>, options: ModelRunOptions = {}): Promise<void> {
  const server = await ServerUnderTest.start({
    disk: options.disk ?? 'memory', config: VARIANTS.base, ...(options.wrapStore ? { wrapStore: options.wrapStore } : {}),
  });
  const model = new Model(server.clock.now());
  try {
    await fc.asyncModelRun(() => ({ model, real: server }), commands);
  } finally {
    await server.dispose();
  }
}

export function serverModelProperty(options: ModelRunOptions = {}): fc.IAsyncPropertyWithHooks<[Iterable<Cmd>]> {
  return fc.asyncProperty(fc.commands(options.arbs ?? commandArbs, { maxCommands: options.maxCommands ?? 40, size: 'max' }), (commands) =>
    runCommands(commands, options));
}

/** fc.assert settings: the runs, and PROPERTY_SEED + PROPERTY_PATH from the environment to replay a failure. */
export function runSettings(numRuns: number): fc.Parameters<[Iterable<Cmd>]> {
  const env = process.env;
  return {
    numRuns,
    ...(env.PROPERTY_SEED !== undefined ? { seed: Number(env.PROPERTY_SEED) } : {}),
    ...(env.PROPERTY_PATH !== undefined ? { path: env.PROPERTY_PATH } : {}),
    // The report then carries the seed, the path and the shrunk command list, ready to paste as a regression.
    verbose: 1,
  };
}
