// The option table and its value codecs: lookups, JSON-friendly values both ways, precise errors.
import { describe, expect, it } from 'vitest';
import { CodecError } from '../../../src/errors.js';
import {
  OPTION_DEFS, decodeOptionValue, encodeOptionValue, findOptionDef, type OptionDef,
} from '../../../src/codec/index.js';

function defOf(name: string): OptionDef {
  const def = findOptionDef(name);
  if (def === undefined) throw new Error(`no option ${name}`);
  return def;
}

function enc(name: string, value: unknown): string {
  return encodeOptionValue(defOf(name), value).toString('hex');
}

function dec(name: string, hex: string): unknown {
  const res = decodeOptionValue(defOf(name), Buffer.from(hex, 'hex'));
  if (!res.ok) throw new Error(res.error.message);
  return res.value;
}

function decError(name: string, hex: string): string {
  const res = decodeOptionValue(defOf(name), Buffer.from(hex, 'hex'));
  if (res.ok) throw new Error(`expected an error, got ${JSON.stringify(res.value)}`);
  expect(res.error.code).toBe('DHCPD_ERR_CODEC_BAD_OPTION_VALUE');
  return res.error.message;
}

function encError(name: string, value: unknown): CodecError {
  try {
    encodeOptionValue(defOf(name), value);
  } catch (error) {
    expect(error).toBeInstanceOf(CodecError);
    expect((error as CodecError).code).toBe('DHCPD_ERR_CODEC_BAD_OPTION_VALUE');
    return error as CodecError;
  }
  throw new Error('expected encodeOptionValue to throw');
}

describe('OPTION_DEFS', () => {
  it('has unique codes and kebab-case names', () => {
    expect(new Set(OPTION_DEFS.map((d) => d.code)).size).toBe(OPTION_DEFS.length);
    expect(new Set(OPTION_DEFS.map((d) => d.name)).size).toBe(OPTION_DEFS.length);
    for (const d of OPTION_DEFS) {
      expect(d.name).toMatch(/^[a-z0-9]+(-[a-z0-9]+)*$/);
      expect(d.code).toBeGreaterThan(0);
      expect(d.code).toBeLessThan(255);
    }
  });

  it.each([
    [1, 'subnet-mask', 'ip'], [2, 'time-offset', 'i32'], [3, 'routers', 'ips'], [4, 'time-servers', 'ips'],
    [6, 'domain-name-servers', 'ips'], [7, 'log-servers', 'ips'], [12, 'host-name', 'string'],
    [15, 'domain-name', 'string'], [26, 'interface-mtu', 'u16'], [28, 'broadcast-address', 'ip'],
    [42, 'ntp-servers', 'ips'], [43, 'vendor-encapsulated-options', 'bytes'], [44, 'netbios-name-servers', 'ips'],
    [50, 'requested-address', 'ip'], [51, 'lease-time', 'u32'], [52, 'option-overload', 'u8'],
    [53, 'message-type', 'u8'], [54, 'server-identifier', 'ip'], [55, 'parameter-request-list', 'u8s'],
    [56, 'message', 'string'], [57, 'max-message-size', 'u16'], [58, 'renewal-time', 'u32'],
    [59, 'rebinding-time', 'u32'], [60, 'vendor-class-identifier', 'string'], [61, 'client-identifier', 'bytes'],
    [66, 'tftp-server-name', 'string'], [67, 'boot-file-name', 'string'], [77, 'user-class', 'bytes'],
    [81, 'client-fqdn', 'client-fqdn'], [82, 'relay-agent-information', 'relay-agent'],
    [118, 'subnet-selection', 'ip'], [119, 'domain-search', 'domains'], [121, 'classless-static-routes', 'routes'],
  ])('defines %i as %s (%s)', (code, name, type) => {
    expect(findOptionDef(code)).toEqual({ code, name, type });
  });

  it('findOptionDef takes a name, a code or a code as text', () => {
    expect(findOptionDef('routers')?.code).toBe(3);
    expect(findOptionDef(3)?.name).toBe('routers');
    expect(findOptionDef('3')?.name).toBe('routers');
    expect(findOptionDef('no-such-option')).toBeUndefined();
    expect(findOptionDef(224)).toBeUndefined();
    expect(findOptionDef('')).toBeUndefined();
  });
});

describe('scalar values', () => {
  it('ip / ips', () => {
    expect(enc('subnet-mask', '255.255.255.0')).toBe('ffffff00');
    expect(enc('routers', ['198.51.100.1', '198.51.100.2'])).toBe('c6336401c6336402');
    expect(enc('routers', '198.51.100.1')).toBe('c6336401');
    expect(dec('routers', 'c6336401c6336402')).toEqual(['198.51.100.1', '198.51.100.2']);
    expect(dec('subnet-mask', 'ffffff00')).toBe('255.255.255.0');
    expect(encError('subnet-mask', '300.1.1.1').message).toBe('expected an IPv4 address, got "300.1.1.1"');
    expect(encError('routers', ['198.51.100.1', 'x']).message).toBe('expected an IPv4 address at index 1, got "x"');
    expect(encError('routers', []).message).toMatch(/non-empty list/);
    expect(decError('routers', 'c63364')).toMatch(/multiple of 4/);
    expect(decError('subnet-mask', 'ffffff')).toMatch(/4 bytes, got 3/);
  });

  it('integers with range checks', () => {
    expect(enc('interface-mtu', 1500)).toBe('05dc');
    expect(enc('lease-time', 0xffffffff)).toBe('ffffffff');
    expect(enc('time-offset', -3600)).toBe('fffff1f0');
    expect(dec('time-offset', 'fffff1f0')).toBe(-3600);
    expect(dec('lease-time', '00000e10')).toBe(3600);
    expect(encError('interface-mtu', 70000).message).toBe('expected an integer from 0 to 65535, got 70000');
    expect(encError('message-type', 1.5).message).toMatch(/from 0 to 255, got 1.5/);
    expect(encError('lease-time', '3600').message).toMatch(/got "3600"/);
    expect(encError('time-offset', 2 ** 31).message).toMatch(/-2147483648 to 2147483647/);
    expect(decError('interface-mtu', '05')).toMatch(/2 bytes, got 1/);
  });

  it('bool, string, bytes, u8s', () => {
    expect(enc('ip-forwarding', true)).toBe('01');
    expect(dec('ip-forwarding', '00')).toBe(false);
    expect(decError('ip-forwarding', '02')).toMatch(/0 or 1/);
    expect(encError('ip-forwarding', 1).message).toBe('expected true or false, got 1');
    expect(enc('domain-name', 'example.org')).toBe(Buffer.from('example.org').toString('hex'));
    expect(dec('host-name', Buffer.from('pc1\0').toString('hex'))).toBe('pc1');
    expect(encError('host-name', '').message).toMatch(/non-empty string/);
    expect(encError('host-name', 'a\0b').message).toMatch(/NUL/);
    expect(enc('client-identifier', '01:52:54:00:12:34:56')).toBe('01525400123456');
    expect(enc('client-identifier', '01525400123456')).toBe('01525400123456');
    expect(enc('vendor-encapsulated-options', '1:2:a')).toBe('01020a');
    expect(dec('client-identifier', '01525400123456')).toBe('01:52:54:00:12:34:56');
    expect(encError('client-identifier', '0152z4').message).toMatch(/hex bytes/);
    expect(encError('client-identifier', '015').message).toMatch(/hex bytes/);
    expect(encError('client-identifier', '01::02').message).toMatch(/hex bytes/);
    expect(enc('parameter-request-list', [1, 3, 6])).toBe('010306');
    expect(dec('parameter-request-list', '010306')).toEqual([1, 3, 6]);
    expect(encError('parameter-request-list', [1, 256]).message).toMatch(/at index 1, got 256/);
  });

  it('names the option in the error details', () => {
    expect(encError('routers', 'nope').details).toMatchObject({ option: 'routers', code: 3 });
  });
});

describe('option 121 classless static routes (RFC 3442)', () => {
  // RFC 3442 §3 examples of destination encodings, each followed by router 198.51.100.1.
  const R = 'c6336401';
  it.each([
    ['0.0.0.0/0', '00'],
    ['10.0.0.0/8', '080a'],
    ['10.17.0.0/16', '100a11'],
    ['10.27.129.0/24', '180a1b81'],
    ['10.229.0.128/25', '190ae50080'],
    ['10.198.122.47/32', '200ac67a2f'],
  ])('%s encodes as %s', (destination, hex) => {
    expect(enc('classless-static-routes', [{ destination, router: '198.51.100.1' }])).toBe(hex + R);
    expect(dec('classless-static-routes', hex + R)).toEqual([{ destination, router: '198.51.100.1' }]);
  });

  it('round-trips several routes and reports bad ones precisely', () => {
    const routes = [
      { destination: '0.0.0.0/0', router: '198.51.100.1' },
      { destination: '203.0.113.0/24', router: '198.51.100.254' },
    ];
    expect(dec('classless-static-routes', enc('classless-static-routes', routes))).toEqual(routes);
    expect(encError('classless-static-routes', [{ destination: '10.0.0.1/8', router: '198.51.100.1' }]).message)
      .toMatch(/host bits set beyond \/8/);
    expect(encError('classless-static-routes', [{ destination: '10.0.0.0/33', router: '198.51.100.1' }]).message)
      .toMatch(/a\.b\.c\.d\/len/);
    expect(encError('classless-static-routes', [{ destination: '10.0.0.0/8' }]).message).toMatch(/router/);
    expect(decError('classless-static-routes', '21' + '00'.repeat(8))).toMatch(/prefix length 33/);
    expect(decError('classless-static-routes', '180a1b81c633')).toMatch(/runs past the end/);
  });
});

describe('option 119 domain search (RFC 3397)', () => {
  // RFC 3397 §3: "eng.apple.com." and "marketing.apple.com." with a pointer to "apple.com".
  const EXAMPLE = '03656e67056170706c6503636f6d00' + '096d61726b6574696e67c004';

  it('encodes the RFC example with compression and decodes it', () => {
    expect(enc('domain-search', ['eng.apple.com.', 'marketing.apple.com.'])).toBe(EXAMPLE);
    expect(dec('domain-search', EXAMPLE)).toEqual(['eng.apple.com', 'marketing.apple.com']);
  });

  it('follows chained pointers and whole-name pointers', () => {
    const names = ['example.org', 'a.example.org', 'b.a.example.org', 'example.org'];
    const hex = enc('domain-search', names);
    expect(dec('domain-search', hex)).toEqual(names);
    expect(hex.endsWith('c000')).toBe(true);
  });

  it('rejects pointer loops, forward pointers and out-of-range pointers', () => {
    expect(decError('domain-search', 'c000')).toMatch(/does not point to an earlier name/);
    expect(decError('domain-search', '0161c002' + '0162c000')).toMatch(/earlier name/);
    expect(decError('domain-search', '0161c0ff')).toMatch(/earlier name/);
    expect(decError('domain-search', '0161c0')).toMatch(/cut short/);
    expect(decError('domain-search', '05616263')).toMatch(/past the end/);
    expect(decError('domain-search', '0161')).toMatch(/past the end/);
    expect(decError('domain-search', '4161')).toMatch(/reserved/);
  });

  it('rejects bad names when encoding', () => {
    expect(encError('domain-search', ['a..b']).message).toMatch(/empty label/);
    expect(encError('domain-search', ['bad name.org']).message).toMatch(/character/);
    expect(encError('domain-search', ['x'.repeat(64) + '.org']).message).toMatch(/longer than 63/);
    expect(encError('domain-search', []).message).toMatch(/non-empty list/);
  });
});

describe('option 81 client FQDN (RFC 4702)', () => {
  it('canonical wire form with E: trailing dot is fully qualified, none is partial', () => {
    const full = { flags: 0x05, rcode1: 0, rcode2: 0, name: 'host.example.org.' };
    const hex = '050000' + '04686f7374' + '076578616d706c65' + '036f7267' + '00';
    expect(enc('client-fqdn', full)).toBe(hex);
    expect(dec('client-fqdn', hex)).toEqual(full);
    const partial = { flags: 0x04, rcode1: 0, rcode2: 0, name: 'host' };
    expect(enc('client-fqdn', partial)).toBe('040000' + '04686f7374');
    expect(dec('client-fqdn', '040000' + '04686f7374')).toEqual(partial);
  });

  it('deprecated ASCII form without E, as some Windows clients send it', () => {
    const value = { flags: 0x00, rcode1: 0xff, rcode2: 0xff, name: 'pc1.example.org' };
    const hex = '00ffff' + Buffer.from('pc1.example.org').toString('hex');
    expect(enc('client-fqdn', value)).toBe(hex);
    expect(dec('client-fqdn', hex)).toEqual(value);
  });

  it('reports malformed values', () => {
    expect(decError('client-fqdn', '0500')).toMatch(/at least 3 bytes/);
    expect(decError('client-fqdn', '050000c000')).toMatch(/not allowed in a canonical name/);
    expect(decError('client-fqdn', '05000000ff')).toMatch(/follow the root/);
    expect(encError('client-fqdn', { flags: 256, rcode1: 0, rcode2: 0, name: 'x' }).message).toMatch(/"flags"/);
    expect(encError('client-fqdn', 'host').message).toMatch(/an object/);
  });
});

describe('option 82 relay agent information (RFC 3046, RFC 3527)', () => {
  const value = [
    { code: 1, data: '65:74:68:30' }, // circuit-id "eth0"
    { code: 2, data: '52:54:00:12:34:56' }, // remote-id
    { code: 5, data: 'c6:33:64:00' }, // link selection 198.51.100.0
  ];
  const hex = '010465746830' + '0206525400123456' + '0504c6336400';

  it('encodes and decodes sub-options', () => {
    expect(enc('relay-agent-information', value)).toBe(hex);
    expect(dec('relay-agent-information', hex)).toEqual(value);
  });

  it('reports a sub-option running past the end, and bad input', () => {
    expect(decError('relay-agent-information', '0105657468')).toMatch(/runs past the end/);
    expect(decError('relay-agent-information', '01')).toMatch(/no length byte/);
    expect(encError('relay-agent-information', [{ code: 0, data: '' }]).message).toMatch(/1 to 255/);
    expect(encError('relay-agent-information', [{ code: 1, data: 'zz' }]).message).toMatch(/hex/);
  });
});

describe('decodeOptionValue never throws', () => {
  it('returns a result for every table entry on odd inputs', () => {
    for (const def of OPTION_DEFS) {
      for (const hex of ['', '00', 'ff', 'c0', 'c000', '0000000000', 'ff'.repeat(40)]) {
        const res = decodeOptionValue(def, Buffer.from(hex, 'hex'));
        if (!res.ok) expect(res.error.code).toBe('DHCPD_ERR_CODEC_BAD_OPTION_VALUE');
      }
    }
  });
});
