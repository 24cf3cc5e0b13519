// DHCPINFORM (RFC 2131 §4.3.5) and reply options (RFC 2132): configuration only — an ACK with no lease time and
// yiaddr 0, sent to ciaddr or through the relay; options in the client's option 55 order; option 57 (576 by
// default) never exceeded, with overload (52) and then the least wanted options dropped; 119 and 121 encoded.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { decodeOptionValue, findOptionDef, getIpOption, getOption } from '../../src/codec/index.js';
import { BROADCAST_FLAG, MessageType, type DhcpMessage } from '../../src/codec/types.js';
import { clientMessage } from '../helpers/test-client.js';
import { dhcpcdInform } from './harness/clients.js';
import { CraftedClient, typeOf } from './harness/crafted.js';
import { RELAY_GIADDR, SERVER_ADDRESS } from './harness/netns.js';
import { SERVER_KIND, integrationSkip, useLab } from './harness/suite.js';

const skip = integrationSkip('inform');
const SEARCH = Array.from({ length: 10 }, (_, i) => `zone${i}.a-rather-long-domain-name.lab.example`);
const ROUTES = [
  { destination: '198.18.0.0/15', router: SERVER_ADDRESS },
  { destination: '203.0.113.0/24', router: SERVER_ADDRESS },
  { destination: '0.0.0.0/0', router: SERVER_ADDRESS },
];
const NTP = Array.from({ length: 24 }, (_, i) => `198.51.100.${i + 20}`);
/** Everything configured, in a deliberately unsorted order: the reply must follow it. */
const PRL = [121, 15, 6, 3, 1, 119, 42, 66, 67];

function value(m: DhcpMessage, code: number): unknown {
  const data = getOption(m, code);
  const decoded = data === undefined ? undefined : decodeOptionValue(findOptionDef(code)!, data);
  return decoded?.ok === true ? decoded.value : undefined;
}

/** Option codes in the main options area of a raw reply (the decoder folds overload away; this shows it). */
function mainAreaCodes(raw: Buffer): number[] {
  const codes: number[] = [];
  for (let pos = 240; pos < raw.length && raw[pos] !== 255; ) {
    if (raw[pos] === 0) { pos++; continue; }
    codes.push(raw[pos]!);
    pos += 2 + raw[pos + 1]!;
  }
  return codes;
}

describe.skipIf(skip !== undefined)(`INFORM and reply options (${SERVER_KIND})`, () => {
  const ctx = useLab({ direct: [{}, {}], relayed: [{}] }, {
    configure: (config) => {
      config.subnets[0]!['dnsServers'] = [SERVER_ADDRESS];
      config.subnets[0]!['domainName'] = 'lab.example';
      config.subnets[0]!['options'] = {
        'domain-search': SEARCH, 'classless-static-routes': ROUTES, 'ntp-servers': NTP,
        'tftp-server-name': 'tftp.a-rather-long-domain-name.lab.example', 'boot-file-name': 'pxelinux.0',
      };
      config.subnets[1]!['dnsServers'] = ['203.0.113.1'];
    },
  });
  let a: CraftedClient;
  let behindRelay: CraftedClient;
  beforeAll(async () => {
    [a, behindRelay] = await Promise.all([
      CraftedClient.start(ctx.lab.direct[0]!, { address: '198.51.100.60' }),
      CraftedClient.start(ctx.lab.relayed[0]!, { address: '203.0.113.60' }),
    ]);
  }, 20_000);
  afterAll(async () => {
    await Promise.all([a?.stop(), behindRelay?.stop()]);
  });

  it('INFORM: an ACK to ciaddr with configuration only (yiaddr 0, no lease times), options in option 55 order', async () => {
    const inform = clientMessage({ mac: a.c.mac }, MessageType.INFORM, { ciaddr: a.address, prl: [1, 3, 6, 15, 121] });
    const got = await a.exchange(inform);
    expect(got!.from).toBe(SERVER_ADDRESS);
    const ack = got!.message!;
    expect(typeOf(ack)).toBe(MessageType.ACK);
    expect(ack.yiaddr).toBe('0.0.0.0');
    expect(ack.ciaddr).toBe(a.address);
    for (const code of [51, 58, 59]) expect(getOption(ack, code), `option ${code}`).toBeUndefined();
    expect(getIpOption(ack, 54)).toBe(SERVER_ADDRESS);
    expect(ack.options.map((o) => o.code).filter((c) => [1, 3, 6, 15, 121].includes(c))).toEqual([1, 3, 6, 15, 121]);
    expect(value(ack, 121)).toEqual(ROUTES);
  });

  it('INFORM through dhcrelay: the ACK goes to giaddr and reaches the client', async () => {
    const inform = clientMessage({ mac: behindRelay.c.mac }, MessageType.INFORM, { ciaddr: behindRelay.address, flags: BROADCAST_FLAG });
    const ack = (await behindRelay.exchange(inform, { waitMs: 5_000 }))!.message!;
    expect(typeOf(ack)).toBe(MessageType.ACK);
    expect(ack.giaddr).toBe(RELAY_GIADDR);
    expect(ack.yiaddr).toBe('0.0.0.0');
    expect(getIpOption(ack, 6)).toBe('203.0.113.1');
    expect(getOption(ack, 51)).toBeUndefined();
  });

  it('a real dhcpcd --inform gets its configuration', async () => {
    const c = ctx.lab.direct[1]!;
    const got = await dhcpcdInform(c, '198.51.100.61/24');
    expect(got.reason).toBe('INFORM');
    expect(got.router).toBe(SERVER_ADDRESS);
    expect(got.leaseTime).toBeUndefined();
  });

  it('option 57 = 576 with many options: the datagram fits, overload is used, option order is kept', async () => {
    const discover = clientMessage({ mac: a.c.mac }, MessageType.DISCOVER, { flags: BROADCAST_FLAG, maxSize: 576, prl: PRL });
    const got = (await a.exchange(discover))!;
    expect(got.data.length).toBeLessThanOrEqual(576 - 28);
    const offer = got.message!;
    expect(typeOf(offer)).toBe(MessageType.OFFER);
    if (SERVER_KIND === 'daemon') expect(mainAreaCodes(got.data)).toContain(52);
    for (const code of [53, 54, 51, 58, 59, 1]) expect(getOption(offer, code), `option ${code}`).toBeDefined();
    const sent = offer.options.map((o) => o.code).filter((c) => PRL.includes(c));
    // What was kept is a prefix of what was asked for: the least wanted (last) options go first.
    expect(sent).toEqual(PRL.filter((c) => sent.includes(c)));
    expect(PRL.slice(0, sent.length).every((c) => sent.includes(c) || c === 1 || c === 3)).toBe(true);
    expect(value(offer, 119)).toEqual(SEARCH);
  });

  it('without option 57 the limit is 576 too; with 57 = 1500 every requested option is sent', async () => {
    const plain = (await a.exchange(clientMessage({ mac: a.c.mac }, MessageType.DISCOVER, { flags: BROADCAST_FLAG, prl: PRL })))!;
    expect(plain.data.length).toBeLessThanOrEqual(576 - 28);
    const big = (await a.exchange(clientMessage({ mac: a.c.mac }, MessageType.DISCOVER, { flags: BROADCAST_FLAG, maxSize: 1500, prl: PRL })))!;
    expect(big.data.length).toBeGreaterThan(576 - 28);
    expect(big.data.length).toBeLessThanOrEqual(1500 - 28);
    for (const code of PRL) expect(getOption(big.message!, code), `option ${code}`).toBeDefined();
    expect(value(big.message!, 42)).toEqual(NTP);
  });
});
