// The ingress step: datagrams in, decoded requests out; malformed ones go to the reject handler and nowhere else;
// the stream's end and a failing handler reach the subscriber (the supervisor restarts serving on an error).
import { Subject } from 'rxjs';
import { describe, expect, it } from 'vitest';
import { encode, MessageType } from '../../../src/codec/index.js';
import { decodeInbound, type DecodedInbound } from '../../../src/net/ingress.js';
import type { Inbound } from '../../../src/net/types.js';
import { clientMessage } from '../../helpers/test-client.js';

const datagram = (data: Buffer): Inbound => ({ data, from: { address: '198.51.100.7', port: 68 }, receivedAt: 0 });

describe('decodeInbound', () => {
  it('passes decoded requests on, in order, and hands malformed datagrams to the reject handler only', () => {
    const in$ = new Subject<Inbound>();
    const out: DecodedInbound[] = [];
    const rejected: string[] = [];
    let completed = false;
    decodeInbound(in$, (error) => rejected.push(error.code)).subscribe({ next: (d) => out.push(d), complete: () => (completed = true) });
    const discover = datagram(encode(clientMessage({ mac: '02:00:5e:10:09:01' }, MessageType.DISCOVER, { xid: 1 })));
    in$.next(discover);
    in$.next(datagram(Buffer.from('not dhcp')));
    in$.next(datagram(encode(clientMessage({ mac: '02:00:5e:10:09:02' }, MessageType.REQUEST, { xid: 2 }))));
    in$.complete();
    expect(out.map((d) => [d.request.type, d.request.xid])).toEqual([[MessageType.DISCOVER, 1], [MessageType.REQUEST, 2]]);
    expect(out[0]?.inbound).toBe(discover);
    expect(rejected).toEqual(['DHCPD_ERR_CODEC_TRUNCATED']);
    expect(completed).toBe(true);
  });

  it('a reject handler that throws fails the stream instead of escaping', () => {
    const in$ = new Subject<Inbound>();
    const errors: unknown[] = [];
    decodeInbound(in$, () => {
      throw new Error('handler bug');
    }).subscribe({ error: (e: unknown) => errors.push(e) });
    in$.next(datagram(Buffer.from('x')));
    expect(errors).toEqual([new Error('handler bug')]);
  });
});
