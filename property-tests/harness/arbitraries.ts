// What fc.commands draws from: client messages (DORAs weighted up: bindings make runs interesting), time steps
// landing on and around every deadline, reloads, crashes, restarts and bursts of concurrent clients.
import fc from 'fast-check';
import { burstArb, tightBurstArb } from './burst.js';
import { crowdArb, holdLapseArb } from './crowd.js';
import { Decline, Discover, Dora, Inform, Release, Request, type AddressChoice, type Cmd, type RequestKind } from './commands.js';
import { Advance, AdvanceTo, Crash, CrashInFlight, Reconfigure, RenewAcross, Restart, type Boundary } from './lifecycle.js';
import { configArb } from './config-arb.js';
import { Reload } from './reload-command.js';
import { ADDRESSES, CLIENTS, TIME_STEPS, VARIANTS, type Variant } from './scenario.js';

const clientArb = fc.constantFrom(...CLIENTS.map((c) => c.name));
const addressArb: fc.Arbitrary<AddressChoice> = fc.oneof(
  { weight: 3, arbitrary: fc.constant('own' as const) },
  { weight: 2, arbitrary: fc.nat(ADDRESSES.length - 1) },
);
const kindArb = fc.constantFrom<RequestKind>('selecting', 'other-server', 'init-reboot', 'renewing', 'rebinding');
const variantArb = fc.constantFrom(...(Object.keys(VARIANTS) as Variant[]));
/** Just before, on and just after a deadline: where an off-by-some-time server decides differently. */
const boundaryArb = fc.tuple(fc.constantFrom<Boundary>('renewAt', 'rebindAt', 'expiresAt', 'graceUntil'), fc.constantFrom(-1, 0, 1));

export const commandArbs: fc.Arbitrary<Cmd>[] = [
  burstArb,
  clientArb.map((c) => new Dora(c)),
  clientArb.map((c) => new Dora(c)),
  fc.tuple(clientArb, fc.option(addressArb, { nil: undefined })).map(([c, a]) => new Discover(c, a)),
  fc.tuple(clientArb, kindArb, addressArb).map(([c, k, a]) => new Request(c, k, a)),
  fc.tuple(clientArb, kindArb, addressArb).map(([c, k, a]) => new Request(c, k, a)),
  fc.tuple(clientArb, addressArb, fc.boolean()).map(([c, a, w]) => new Release(c, a, w)),
  fc.tuple(clientArb, addressArb).map(([c, a]) => new Decline(c, a)),
  // Two declines in a row from one of two clients: reaches the decline limit (and its silence) in short runs.
  fc.constantFrom('c0', 'c4').map((c) => new Decline(c, 'own')),
  fc.constant('c0').map((c) => new Decline(c, 'own')),
  fc.tuple(clientArb, addressArb).map(([c, a]) => new Inform(c, a)),
  fc.oneof(fc.constantFrom(...TIME_STEPS), fc.integer({ min: 1, max: 4_000_000 })).map((ms) => new Advance(ms)),
  fc.oneof(fc.constantFrom(...TIME_STEPS), fc.integer({ min: 1, max: 4_000_000 })).map((ms) => new Advance(ms)),
  variantArb.map((v) => new Reconfigure(v)),
  fc.tuple(clientArb, boundaryArb).map(([c, [b, o]]) => new AdvanceTo(c, b, o)),
  // The renewal flow right across what decides it: a deadline of the binding, or a reload.
  fc.tuple(
    clientArb,
    fc.oneof(boundaryArb.map(([b, o]) => ['time', b, o] as const), variantArb.map((v) => ['reload', v] as const)),
    fc.constantFrom('renewing' as const, 'rebinding' as const),
  ).map(([c, step, k]) => new RenewAcross(c, step[0] === 'time' ? new AdvanceTo(c, step[1], step[2]) : new Reconfigure(step[1]), k)),
  // A pool shrunk (and the reservation moved) by a reload, then a renewal: the "address still valid?" box.
  clientArb.map((c) => new RenewAcross(c, new Reconfigure('shrunk'), 'renewing')),
  // A relayed client's subnet removed by a reload, then its unicast renewal: the "subnet still valid?" box.
  fc.constantFrom('c4', 'c5').map((c) => new RenewAcross(c, new Reconfigure('noRelay'), 'renewing')),
  // A random valid config through App.reload (config-arb.ts).
  configArb.map((wire) => new Reload(wire)),
  fc.constant(null).map(() => new Crash()),
  fc.constant(null).map(() => new Restart()),
  clientArb.map((c) => new CrashInFlight(c)),
];

/**
 * Offers do not reserve under pressure (crowd.ts): full pools, concurrent clients, and REQUESTs racing for
 * addresses offered unreserved. Its own list, so that the seeds of commandArbs keep replaying the same commands.
 */
export const pressureArbs: fc.Arbitrary<Cmd>[] = [
  crowdArb,
  crowdArb,
  burstArb,
  // A full pool of offers all in their probe: the burst's later DISCOVERs join those probes.
  tightBurstArb,
  clientArb.map((c) => new Dora(c)),
  fc.tuple(clientArb, fc.option(addressArb, { nil: undefined })).map(([c, a]) => new Discover(c, a)),
  // A crowd's client REQUESTs what it was offered last, reserved or not: the first REQUEST wins the address.
  fc.constantFrom('c0', 'c1', 'c2', 'c3').map((c) => new Request(c, 'selecting', 'own')),
  fc.constantFrom('c0', 'c1', 'c2', 'c3').map((c) => new Request(c, 'selecting', 'own')),
  fc.constantFrom(1, 99, 100, 101, 1_000).map((ms) => new Advance(ms)),
  holdLapseArb,
  configArb.map((wire) => new Reload(wire)),
  fc.constant(null).map(() => new Crash()),
];
