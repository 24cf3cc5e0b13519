// decode and buildReply gather options in module scratch arrays (kept, never emptied: see decode.ts and reply.ts):
// the scratch must hold on to no option of the message last decoded or built, or that message's buffers would stay
// pinned until the next one.
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { describe, expect, it } from 'vitest';
import { decode, type DhcpOption } from '../../../src/codec/index.js';
import { MessageType, type DhcpRequest } from '../../../src/codec/types.js';
import { buildReply } from '../../../src/server/reply.js';
import { clientMessage } from '../../helpers/test-client.js';
import { rawPacket } from './helpers.js';

setFlagsFromString('--expose-gc');
const gc = runInNewContext('gc') as () => void;

/** Whether `make`'s objects are collected once nothing but the scratch could hold them. */
async function collected(make: () => object[]): Promise<boolean> {
  const refs = make().map((o) => new WeakRef(o));
  // A WeakRef's target is kept until the job that made it ends.
  await new Promise((resolve) => setImmediate(resolve));
  gc();
  return refs.every((r) => r.deref() === undefined);
}

describe('option scratch arrays', () => {
  it('decode keeps no option of the last message decoded', async () => {
    const options = (): DhcpOption[] => {
      const res = decode(rawPacket([53, 1, 1, 12, 4, 104, 111, 115, 116, 50, 4, 198, 51, 100, 7, 255]));
      if (!res.ok) throw res.error;
      // 12 and 50: per-client values, each message's own objects (53 is shared by design).
      return res.msg.options.filter((o) => o.code !== 53);
    };
    expect(await collected(options)).toBe(true);
  });

  it('buildReply keeps no option of the last reply built, nor the request options it echoed', async () => {
    const options = (): DhcpOption[] => {
      const request = { ...clientMessage({ mac: '02:00:5e:10:00:90', clientId: Buffer.from('01020304', 'hex') }, MessageType.DISCOVER, {
        extra: [{ code: 82, data: Buffer.from([1, 2, 0, 7]) }],
      }), type: MessageType.DISCOVER } as DhcpRequest;
      const reply = buildReply(request, { type: MessageType.OFFER, serverId: '198.51.100.1', yiaddr: '198.51.100.100' });
      return reply.options.filter((o) => o.code === 61 || o.code === 82);
    };
    expect(await collected(options)).toBe(true);
  });
});
