// Real client packets (test/fixtures/packets, captured by capture.sh from udhcpc, dhclient and dhcpcd).
import { describe, expect, it } from 'vitest';
import {
  clientIdHex, decode, decodeRequest, encode, getIpOption, getParameterRequestList, getU16Option, hwAddressOf,
  MessageType,
} from '../../../src/codec/index.js';
import { loadHex } from './helpers.js';

const MAC = '52:54:00:c0:de:01';

interface Expectation {
  readonly type: MessageType;
  readonly prl: number[];
  readonly clientId: string | undefined;
  readonly maxSize?: number;
  readonly requested?: string;
}

const PRL = {
  udhcpc: [1, 3, 6, 12, 15, 28, 42],
  dhclient: [1, 28, 2, 3, 15, 6, 119, 12, 44, 47, 26, 121, 42],
  dhcpcd: [1, 121, 3, 6, 12, 15, 26, 28, 33, 51, 54, 58, 59, 119],
};
const DHCPCD_DUID = 'ff00c0de0100010001329a0dcf525400c0de01';

const CASES: Record<string, Expectation> = {
  'udhcpc-discover': { type: MessageType.DISCOVER, prl: PRL.udhcpc, clientId: '01525400c0de01', maxSize: 576 },
  'udhcpc-request': {
    type: MessageType.REQUEST, prl: PRL.udhcpc, clientId: '01525400c0de01', maxSize: 576, requested: '198.51.100.111',
  },
  'dhclient-discover': { type: MessageType.DISCOVER, prl: PRL.dhclient, clientId: undefined },
  'dhclient-request': {
    type: MessageType.REQUEST, prl: PRL.dhclient, clientId: undefined, requested: '198.51.100.111',
  },
  // dhcpcd sends an RFC 4361 client id: type 255, IAID, DUID.
  'dhcpcd-discover': { type: MessageType.DISCOVER, prl: PRL.dhcpcd, clientId: DHCPCD_DUID, maxSize: 1472 },
  'dhcpcd-request': {
    type: MessageType.REQUEST, prl: PRL.dhcpcd, clientId: DHCPCD_DUID, maxSize: 1472, requested: '198.51.100.111',
  },
};

describe.each(Object.entries(CASES))('%s', (name, want) => {
  const bytes = loadHex(`${name}.hex`);

  it('decodes as a request with the client facts', () => {
    const res = decodeRequest(bytes);
    if (!res.ok) throw new Error(res.error.message);
    const msg = res.msg;
    expect(msg.type).toBe(want.type);
    expect(hwAddressOf(msg)).toBe(MAC);
    expect(getParameterRequestList(msg)).toEqual(want.prl);
    expect(clientIdHex(msg)).toBe(want.clientId);
    expect(getU16Option(msg, 57)).toBe(want.maxSize);
    expect(getIpOption(msg, 50)).toBe(want.requested);
    expect(msg.giaddr).toBe('0.0.0.0');
  });

  it('re-encodes to the same bytes, modulo trailing padding', () => {
    const res = decode(bytes);
    if (!res.ok) throw new Error(res.error.message);
    const again = encode(res.msg);
    const end = again.lastIndexOf(255) + 1;
    expect(again.subarray(0, end).equals(bytes.subarray(0, end))).toBe(true);
    expect(bytes.subarray(end).every((b) => b === 0)).toBe(true);
  });
});

describe('replies captured from busybox udhcpd', () => {
  it.each(['udhcpc-offer', 'dhclient-ack', 'dhcpcd-offer'])('%s decodes, but is not a request', (name) => {
    const bytes = loadHex(`${name}.hex`);
    const res = decode(bytes);
    expect(res.ok && res.msg.op).toBe(2);
    expect(res.ok && res.msg.yiaddr).toBe('198.51.100.111');
    const req = decodeRequest(bytes);
    expect(req.ok ? 'ok' : req.error.code).toBe('DHCPD_ERR_CODEC_NOT_REQUEST');
  });
});
