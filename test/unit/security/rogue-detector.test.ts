// Rogue-server detection: an OFFER or ACK heard on port 68 from a server id not ours is reported once per source
// per interval; our own replies, client messages and garbage are not.
import { describe, expect, it } from 'vitest';
import { encode } from '../../../src/codec/index.js';
import { MessageType } from '../../../src/codec/types.js';
import type { SecurityEvent } from '../../../src/security/events.js';
import { rogueDetector } from '../../../src/security/rogue-detector.js';
import { clientMessage } from '../../helpers/test-client.js';

const serverReply = (type: MessageType, serverId: string) => {
  const m = clientMessage({ mac: '02:00:5e:10:00:01' }, type, { serverId });
  return encode({ ...m, op: 2, yiaddr: '198.51.100.77' });
};

describe('rogue-server detection', () => {
  it('reports another server once per source per interval, with its server id and address', () => {
    const events: SecurityEvent[] = [];
    let now = 0;
    const d = rogueDetector({ intervalMs: () => 60_000, isOurs: (a) => a === '198.51.100.1', now: () => now, report: (e) => events.push(e) });
    d.heard(serverReply(MessageType.OFFER, '198.51.100.1'), '198.51.100.1'); // ours
    d.heard(encode(clientMessage({ mac: '02:00:5e:10:00:02' }, MessageType.DISCOVER)), '0.0.0.0'); // a client
    d.heard(Buffer.from('garbage'), '198.51.100.9');
    d.heard(serverReply(MessageType.OFFER, '198.51.100.66'), '198.51.100.66');
    d.heard(serverReply(MessageType.ACK, '198.51.100.66'), '198.51.100.66');
    expect(events).toHaveLength(1);
    expect(events[0]).toMatchObject({ stage: 'rogue-detection', reason: 'rogue-server', detail: { serverId: '198.51.100.66', source: '198.51.100.66', type: 'OFFER', yiaddr: '198.51.100.77' } });
    now = 60_000;
    d.heard(serverReply(MessageType.ACK, '198.51.100.66'), '198.51.100.66');
    d.heard(serverReply(MessageType.OFFER, '203.0.113.5'), '203.0.113.5');
    expect(events.map((e) => e.detail?.['serverId'])).toEqual(['198.51.100.66', '198.51.100.66', '203.0.113.5']);
  });
});
