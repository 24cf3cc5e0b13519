// Options 60 (vendor class) and 77 (user class, RFC 3004) read for later client classification.
import { describe, expect, it } from 'vitest';
import { MessageType } from '../../../src/codec/types.js';
import { clientClassOf, userClassesOf, vendorClassOf } from '../../../src/server/client-class.js';
import { clientMessage } from '../../helpers/test-client.js';

const withOptions = (...extra: { code: number; data: Buffer }[]) =>
  clientMessage({ mac: '02:00:5e:10:00:70' }, MessageType.DISCOVER, { extra });

describe('client class', () => {
  it('reads option 60 as text', () => {
    expect(vendorClassOf(withOptions({ code: 60, data: Buffer.from('PXEClient:Arch:00007') }))).toBe('PXEClient:Arch:00007');
    expect(vendorClassOf(withOptions())).toBeUndefined();
    expect(vendorClassOf(withOptions({ code: 60, data: Buffer.alloc(0) }))).toBeUndefined();
  });

  it('reads option 77 as RFC 3004 length-prefixed classes', () => {
    const data = Buffer.concat([Buffer.from([4]), Buffer.from('iPXE'), Buffer.from([3]), Buffer.from('lab')]);
    expect(userClassesOf(withOptions({ code: 77, data }))).toEqual(['iPXE', 'lab']);
  });

  it('takes a bare string (older clients) as one class', () => {
    expect(userClassesOf(withOptions({ code: 77, data: Buffer.from('RRAS.Microsoft') }))).toEqual(['RRAS.Microsoft']);
    expect(userClassesOf(withOptions({ code: 77, data: Buffer.from([5, 0x61]) }))).toEqual(['\u0005a']);
  });

  it('gathers both, leaving out what is absent', () => {
    expect(clientClassOf(withOptions({ code: 60, data: Buffer.from('MSFT 5.0') }))).toEqual({ vendorClass: 'MSFT 5.0' });
    expect(clientClassOf(withOptions())).toEqual({});
  });
});
