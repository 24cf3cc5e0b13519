// Bugs the whole-server model found, each kept as the shrunk command list that showed it (issue 6, item 5).
// Each runs the real server against the model exactly as the property does; a regression fails with the invariant.
import { describe, it } from 'vitest';
import { Decline, Dora } from './harness/commands.js';
import { Reconfigure } from './harness/lifecycle.js';
import { runCommands } from './harness/property.js';

describe('regressions found by the whole-server model', () => {
  it('one binding per client per subnet: a moved reservation does not leave the old binding held', async () => {
    // seed 1242156892, path "51:3:5": c3 bound to its reservation .10, the reload moves it to .101, c3 is given
    // .101 and the server kept .10 bound as well (unrenewable, held until expiry).
    await runCommands([new Dora('c3'), new Reconfigure('shrunk'), new Dora('c3')]);
  });

  it('probation: a client that declined its own reservation is not offered it again during probation', async () => {
    // seed 1303737594, path "37:5:4:7:10": the reservation counted as usable because its (declined) holder was
    // the client itself, so the OFFER named the address in probation; the REQUEST was then NAKed, again and again.
    await runCommands([new Dora('c3'), new Decline('c3', 'own'), new Dora('c3')]);
  });

  it('reservation: an existing binding now reserved for another client is not offered to its old holder', async () => {
    // seed 2110581931, path "81:4:3:5:7:7": c2 bound to .102, a reload reserves .102 for c3; c2's DISCOVER was
    // answered with .102 (the "existing" candidate skipped the reservation check) and its REQUEST then NAKed.
    await runCommands([new Reconfigure('shrunk'), new Dora('c0'), new Dora('c2'), new Reconfigure('reservedInPool'), new Dora('c2')]);
  });
});
