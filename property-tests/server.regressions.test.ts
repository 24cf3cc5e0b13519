// Bugs the whole-server model found, each kept as the shrunk command list that showed it (issue 6, item 5).
// Each runs the real server against the model exactly as the property does; a regression fails with the invariant.
import { describe, it } from 'vitest';
import { Dora, Reconfigure } from './harness/commands.js';
import { runCommands } from './harness/property.js';

describe('regressions found by the whole-server model', () => {
  it('one binding per client per subnet: a moved reservation does not leave the old binding held', async () => {
    // seed 1242156892, path "51:3:5": c3 bound to its reservation .10, the reload moves it to .101, c3 is given
    // .101 and the server kept .10 bound as well (unrenewable, held until expiry).
    await runCommands([new Dora('c3'), new Reconfigure('shrunk'), new Dora('c3')]);
  });
});
