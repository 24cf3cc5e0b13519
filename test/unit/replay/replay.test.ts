// Replay of captures recorded by tcpdump from the lab's real clients (test/fixtures/captures/record.ts): the same
// bytes every time, our replies equal to the recorded ones (the recording server had the same config), pcap and
// pcapng alike; broken captures are a clear error naming the record.
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadConfigFile } from '../../../src/config/index.js';
import { CaptureError, readCapture } from '../../../src/replay/capture.js';
import { replayCommand } from '../../../src/replay/command.js';
import { replay } from '../../../src/replay/replay.js';
import { pcapToPcapng } from '../../helpers/pcapng.js';

const DIR = resolve(import.meta.dirname, '../../fixtures/captures');
const CONFIG = resolve(DIR, 'lab.json');
const FIXTURES = ['udhcpc', 'dhclient', 'dhcpcd', 'relay-udhcpc'] as const;

async function replayToText(capture: Buffer, compare = true): Promise<string> {
  const lines: string[] = [];
  await replay({ config: await loadConfigFile(CONFIG), datagrams: readCapture(capture), compare, emit: (l) => lines.push(l) });
  return lines.join('\n');
}

const parsed = (text: string) => text.split('\n').map((l) => JSON.parse(l) as Record<string, unknown>);

describe('replay of real client captures', () => {
  it.each(FIXTURES)('%s: twice the same bytes, and every reply as the daemon sent it when recorded', async (name) => {
    const capture = readFileSync(resolve(DIR, `${name}.pcap`));
    const first = await replayToText(capture);
    expect(await replayToText(capture)).toBe(first);
    const lines = parsed(first);
    const compares = lines.filter((l) => l['type'] === 'compare');
    expect(compares.length).toBeGreaterThanOrEqual(2);
    expect(compares.filter((c) => c['same'] !== true)).toEqual([]);
    expect(compares.filter((c) => c['ours'] === 'DHCPACK').length).toBeGreaterThanOrEqual(1);
    const transitions = lines.filter((l) => l['type'] === 'transition').map((t) => `${t['from']}>${t['to']}`);
    expect(transitions.slice(0, 2)).toEqual(['none>offered', 'offered>bound']);
    for (const kind of ['request', 'decision', 'reply']) expect(lines.some((l) => l['type'] === kind)).toBe(true);
  });

  it('udhcpc: DORA, a unicast renewal and a release, each step with its decision, reply and transition', async () => {
    const lines = parsed(await replayToText(readFileSync(resolve(DIR, 'udhcpc.pcap')), false));
    expect(lines.map((l) => `${l['type']}:${l['type'] === 'transition' ? l['to'] : l['message'] ?? l['decision']}`)).toEqual([
      'request:DHCPDISCOVER', 'transition:offered', 'decision:DHCPOFFER', 'reply:DHCPOFFER',
      'request:DHCPREQUEST', 'transition:bound', 'decision:DHCPACK', 'reply:DHCPACK',
      'request:DHCPREQUEST', 'transition:bound', 'decision:DHCPACK', 'reply:DHCPACK',
      'request:DHCPRELEASE', 'transition:released', 'decision:accepted',
    ]);
    // The simulated clock follows the capture: the renewal's transition is stamped with its packet's time.
    const renewal = lines.filter((l) => l['type'] === 'request')[2]!;
    expect(lines[9]!['at']).toBe(renewal['at']);
  });

  it('reads pcapng (both byte orders, µs and ns resolution) exactly as the pcap it was made from', async () => {
    const pcap = readFileSync(resolve(DIR, 'dhcpcd.pcap'));
    const expected = readCapture(pcap);
    expect(expected.length).toBeGreaterThanOrEqual(4);
    for (const opts of [{}, { bigEndian: true }, { nanos: true }, { bigEndian: true, nanos: true }]) {
      expect(readCapture(pcapToPcapng(pcap, opts)), JSON.stringify(opts)).toEqual(expected.map((d) => ({ ...d, record: d.record + 2 })));
    }
    // pcapng numbers its blocks: two header blocks come before the first packet.
    const renumbered = (text: string): string => text.replace(/"(record|theirRecord)":(\d+)/g, (_m, k: string, n: string) => `"${k}":${Number(n) + 2}`);
    expect(await replayToText(pcapToPcapng(pcap))).toBe(renumbered(await replayToText(pcap)));
  });
});

describe('broken captures', () => {
  const pcap = readFileSync(resolve(DIR, 'udhcpc.pcap'));

  it('every truncation is either a whole capture or a CaptureError naming the record, never another error', () => {
    const boundaries = new Set<number>([24]);
    for (let offset = 24; offset < pcap.length; ) {
      offset += 16 + pcap.readUInt32LE(offset + 8);
      boundaries.add(offset);
    }
    for (const source of [pcap, pcapToPcapng(pcap)]) {
      for (let cut = 0; cut < source.length; cut++) {
        const piece = source.subarray(0, cut);
        try {
          readCapture(piece);
          if (source === pcap) expect(boundaries.has(cut), `cut ${cut}`).toBe(true);
        } catch (error) {
          expect(error, `cut ${cut}`).toBeInstanceOf(CaptureError);
          expect((error as CaptureError).message).toMatch(/\(record \d+, byte offset \d+\)$/);
        }
      }
    }
  });

  it('names the record of a truncated packet, and refuses a file that is no capture', () => {
    const cut = pcap.subarray(0, pcap.length - 10);
    expect(() => readCapture(cut)).toThrow(/truncated record: \d+ bytes announced \(record 7, byte offset \d+\)/);
    expect(() => readCapture(Buffer.from('{"not": "a capture"}\n'.repeat(3)))).toThrow(/not a pcap or pcapng file \(magic 0x/);
  });

  it('flipped bytes anywhere give output or a CaptureError, never a crash', async () => {
    for (let i = 0; i < 200; i++) {
      const damaged = Buffer.from(pcap);
      const at = (i * 7919) % damaged.length;
      damaged[at] = damaged[at]! ^ (1 + (i % 255));
      let datagrams;
      try {
        datagrams = readCapture(damaged);
      } catch (error) {
        expect(error).toBeInstanceOf(CaptureError);
        continue;
      }
      if (i % 20 === 0) {
        // A damaged DHCP payload is a request line with its codec error; the replay goes on.
        const lines: string[] = [];
        await replay({ config: await loadConfigFile(CONFIG), datagrams, emit: (l) => lines.push(l), decisionTimeoutMs: 200 });
        expect(lines.every((l) => typeof JSON.parse(l) === 'object')).toBe(true);
      }
    }
  });

  it('the command prints the error with its code and exits 1; usage errors exit 2', async () => {
    const out: string[] = [];
    const { mkdtempSync, writeFileSync } = await import('node:fs');
    const dir = mkdtempSync('/tmp/replay-');
    writeFileSync(`${dir}/cut.pcap`, pcap.subarray(0, 100));
    expect(await replayCommand([`${dir}/cut.pcap`, '--config', CONFIG], (t) => out.push(t))).toEqual({
      code: 1, stderr: expect.stringMatching(/^DHCPD_ERR_CAPTURE_INVALID: truncated record: \d+ bytes announced \(record 1, byte offset 24\)\n$/),
    });
    expect(await replayCommand([`${dir}/missing.pcap`, '--config', CONFIG], (t) => out.push(t))).toMatchObject({ code: 1 });
    expect(await replayCommand(['x.pcap'], (t) => out.push(t))).toMatchObject({ code: 2 });
    expect(out).toEqual([]);
  });
});
