// A reply that does not fit the client's maximum message size even with overload is trimmed, never dropped
// (issue 9): a relayed DISCOVER with a 255-byte client identifier and a 255-byte option 82 — what a packet
// generator sends — gets its OFFER from the real daemon within 576 bytes, option 82 echoed, option 61 left out,
// and the trim logged (debug) with the dropped codes.
import { afterAll, describe, expect, it } from 'vitest';
import { getOption } from '../../src/codec/index.js';
import { BROADCAST_FLAG, MessageType } from '../../src/codec/types.js';
import { clientMessage } from '../helpers/test-client.js';
import { CraftedClient, typeOf } from './harness/crafted.js';
import { SERVER_ADDRESS } from './harness/netns.js';
import { SERVER_KIND, integrationSkip, useLab } from './harness/suite.js';

const skip = integrationSkip('reply-trim');

describe.skipIf(skip !== undefined || SERVER_KIND !== 'daemon')('a reply too large for option 57', () => {
  const ctx = useLab({ direct: [{}] }, {
    configure: (config) => {
      config['logging'] = { level: 'debug' };
    },
  });
  let agent: CraftedClient | undefined;
  afterAll(async () => {
    await agent?.stop();
  });

  it('is trimmed by priority and sent: 82 echoed, 61 dropped, within 576 bytes', async () => {
    // A crafted relay agent on the direct segment: giaddr is its own address, it listens on 67 like a relay.
    agent = await CraftedClient.start(ctx.lab.direct[0]!, { address: '198.51.100.67', ports: [67] });
    const agentInfo = Buffer.alloc(255, 0x52);
    const discover = clientMessage({ mac: '02:00:5e:10:02:71', clientId: Buffer.alloc(255, 0x61), giaddr: agent.address }, MessageType.DISCOVER, {
      flags: BROADCAST_FLAG, maxSize: 576, extra: [{ code: 82, data: agentInfo }],
    });
    const got = await agent.exchange(discover, { to: SERVER_ADDRESS, port: 67, waitMs: 5_000 });
    expect(got?.message, 'no reply: the OFFER was dropped').toBeDefined();
    const offer = got!.message!;
    expect(typeOf(offer)).toBe(MessageType.OFFER);
    expect(got!.data.length).toBeLessThanOrEqual(576 - 28);
    expect(getOption(offer, 82)).toEqual(agentInfo);
    expect(getOption(offer, 61)).toBeUndefined();
    for (const code of [53, 54, 51, 58, 59, 1, 3]) expect(getOption(offer, code), `option ${code}`).toBeDefined();
    const trimmed = await ctx.server.waitForEvt('reply.trimmed', (l) => l['xid'] === discover.xid);
    expect(trimmed['dropped']).toEqual([61]);
    expect(ctx.server.logs.filter((l) => l['evt'] === 'reply.encode_failed')).toEqual([]);
  });
});
