import { describe, expect, it } from 'vitest';
import { NetError } from '../../../src/errors.js';
import { findAddon, loadNativeBinding } from '../../../src/net/native-binding.js';
import { openTransport } from '../../../src/net/select-transport.js';
import { fakeBinding, recordingLogger } from './helpers.js';

const discover = () => ({ found: [], missing: [] });
const unavailable = () => {
  throw new NetError('DHCPD_ERR_NET_NATIVE_UNAVAILABLE', 'not built');
};

describe('openTransport', () => {
  it('selects the native transport when the addon loads, and logs it', async () => {
    const logger = recordingLogger();
    const t = await openTransport({ port: 67, interfaces: ['adn-s1'], logger, loadBinding: fakeBinding, native: { discover } });
    expect(t.kind).toBe('native');
    expect(logger.lines.find((l) => l.obj.evt === 'transport.selected')?.obj).toMatchObject({ kind: 'native' });
    await t.close();
  });

  it("fails instead of falling back when 'native' is required", async () => {
    await expect(openTransport({ port: 67, interfaces: ['adn-s1'], logger: recordingLogger(), prefer: 'native', loadBinding: unavailable })).rejects.toMatchObject({
      code: 'DHCPD_ERR_NET_NATIVE_UNAVAILABLE',
    });
  });

  it('passes other native failures (bind) through rather than hiding them behind dgram', async () => {
    const binding = fakeBinding();
    binding.openResult = -13;
    await expect(openTransport({ port: 67, interfaces: ['adn-s1'], logger: recordingLogger(), loadBinding: () => binding, native: { discover } })).rejects.toMatchObject({
      code: 'DHCPD_ERR_NET_BIND',
      details: expect.objectContaining({ errno: 'EACCES' }),
    });
  });
});

describe('loadNativeBinding', () => {
  it('reports a missing build as DHCPD_ERR_NET_NATIVE_UNAVAILABLE', () => {
    expect(() => loadNativeBinding('/nonexistent/actor_dhcpd_net.node')).toThrow(expect.objectContaining({ code: 'DHCPD_ERR_NET_NATIVE_UNAVAILABLE' }));
    expect(findAddon('/')).toBeUndefined();
  });

  it.runIf(findAddon() !== undefined)('loads the built addon with every function (native build present)', () => {
    const b = loadNativeBinding();
    expect(typeof b.udpOpen).toBe('function');
    expect(b.fdClose(-1)).toBe(-9); // EBADF as a value, not an exception
  });
});
