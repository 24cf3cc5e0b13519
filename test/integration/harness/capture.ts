// Packet capture inside a namespace (tcpdump -e: link-level addresses included), to see how a reply was delivered.
import { Proc } from './proc.js';

/** One captured frame as tcpdump prints it (with -v, its continuation lines joined by '\n'). */
export interface Frame {
  readonly text: string;
  readonly srcMac: string;
  readonly dstMac: string;
  /** "198.51.100.1.67" */
  readonly src: string;
  readonly dst: string;
}

const LINK = /^\d{2}:\d{2}:\d{2}\.\d+ ([0-9a-f:]{17}) > ([0-9a-f:]{17}),/;
/** With -v the IP header comes first and the addresses move to the next line, hence a search of the whole text. */
const ENDPOINTS = /(\d+\.\d+\.\d+\.\d+\.\d+) > (\d+\.\d+\.\d+\.\d+\.\d+):/;

export class Capture {
  private constructor(private readonly proc: Proc) {}

  /** Starts tcpdump on `iface` in `ns` with a pcap filter; resolves once it listens. */
  static async start(ns: string, iface: string, filter: string, opts: { verbose?: boolean } = {}): Promise<Capture> {
    const args = ['netns', 'exec', ns, 'tcpdump', '--immediate-mode', '-i', iface, '-n', '-e', '-l', ...(opts.verbose === true ? ['-v'] : []), filter];
    const proc = new Proc(`tcpdump ${ns}`, 'ip', args);
    try {
      await proc.waitForLine((l) => l.includes('listening on'), 5_000);
    } catch (err) {
      await proc.stop('SIGKILL', 1_000);
      throw err;
    }
    return new Capture(proc);
  }

  /** Frames captured so far. */
  frames(): Frame[] {
    const frames: Frame[] = [];
    let current: string[] = [];
    const flush = (): void => {
      const text = current.join('\n');
      const link = LINK.exec(current[0] ?? '');
      const ends = ENDPOINTS.exec(text);
      if (link !== null && ends !== null) frames.push({ text, srcMac: link[1]!, dstMac: link[2]!, src: ends[1]!, dst: ends[2]! });
      current = [];
    };
    for (const line of this.proc.lines) {
      if (/^\d{2}:\d{2}:\d{2}\./.test(line)) {
        flush();
        current.push(line);
      } else if (/^\s/.test(line) && current.length > 0) {
        current.push(line);
      }
    }
    flush();
    return frames;
  }

  /** Stops tcpdump (SIGINT lets it flush) and returns every frame. */
  async stop(): Promise<Frame[]> {
    await this.proc.stop('SIGINT', 2_000);
    return this.frames();
  }
}
