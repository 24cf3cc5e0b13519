// A test-built DHCP client: encodes messages with src/codec and sends them from a client namespace through a
// UDP socket on port 68 (SO_BROADCAST), collecting every reply — for what no real client can be made to send.
import { join } from 'node:path';
import { decode, encode } from '../../../src/codec/index.js';
import type { DhcpMessage } from '../../../src/codec/types.js';
import type { ClientNs } from './netns.js';
import { Proc, run, sleep } from './proc.js';

export const BROADCAST = '255.255.255.255';

export interface Received {
  readonly from: string;
  readonly port: number;
  /** Our port it arrived on (68, or 67 when acting as a relay). */
  readonly localPort: number;
  readonly data: Buffer;
  /** Undefined when the bytes do not decode. */
  readonly message: DhcpMessage | undefined;
}

export interface CraftedOptions {
  /** Address given to the client's interface (outside the pools), with its prefix. */
  readonly address: string;
  readonly prefixLength?: number;
  /** Ports to listen on; the first one sends. Default [68]. */
  readonly ports?: readonly number[];
}

const CHILD = join(import.meta.dirname, 'crafted-child.mjs');

export class CraftedClient {
  readonly received: Received[] = [];
  private parsed = 0;
  private sendId = 0;

  private constructor(
    readonly c: ClientNs,
    private readonly proc: Proc,
    public address: string,
  ) {}

  /** Configures the namespace's interface (address and a default route, inside the namespace only) and starts. */
  static async start(c: ClientNs, opts: CraftedOptions): Promise<CraftedClient> {
    await setAddress(c, opts.address, opts.prefixLength ?? 24);
    await run('ip', ['-n', c.ns, 'route', 'replace', 'default', 'dev', c.iface], { timeoutMs: 5_000 });
    const ports = (opts.ports ?? [68]).map(String);
    const proc = new Proc(`crafted ${c.ns}`, 'ip', ['netns', 'exec', c.ns, process.execPath, CHILD, ...ports], undefined, { stdin: true });
    await proc.waitForLine((l) => l.includes('"ready"'), 5_000);
    return new CraftedClient(c, proc, opts.address);
  }

  /** Moves the interface to another address (e.g. the one just leased), keeping the socket. */
  async readdress(address: string, prefixLength = 24): Promise<void> {
    await setAddress(this.c, address, prefixLength);
    await run('ip', ['-n', this.c.ns, 'route', 'replace', 'default', 'dev', this.c.iface], { timeoutMs: 5_000 });
    this.address = address;
  }

  /** Sends raw bytes (for malformed packets) and waits until the kernel took them. */
  async sendRaw(data: Buffer, to = BROADCAST, port = 67): Promise<void> {
    const id = ++this.sendId;
    const from = this.proc.lines.length;
    this.proc.writeLine(JSON.stringify({ id, to, port, data: data.toString('hex') }));
    const line = await this.proc.waitForLine((l) => l.includes(`"sent":${id}`) || l.includes(`"id":${id}`), 5_000, from);
    if (!line.includes(`"sent":${id}`)) throw new Error(`${this.c.ns}: send failed: ${line}`);
  }

  send(message: DhcpMessage, to = BROADCAST, port = 67): Promise<void> {
    return this.sendRaw(encode(message), to, port);
  }

  /** Every decodable reply with this xid received so far. */
  repliesTo(xid: number): Received[] {
    this.sync();
    return this.received.filter((r) => r.message?.xid === xid);
  }

  /** Sends and resolves with the first reply carrying its xid, or undefined after `waitMs`. */
  async exchange(message: DhcpMessage, opts: { to?: string; port?: number; waitMs?: number } = {}): Promise<Received | undefined> {
    await this.send(message, opts.to, opts.port);
    return this.waitFor(message.xid, opts.waitMs ?? 3_000);
  }

  async waitFor(xid: number, waitMs: number): Promise<Received | undefined> {
    const deadline = Date.now() + waitMs;
    for (;;) {
      const got = this.repliesTo(xid)[0];
      if (got !== undefined || Date.now() >= deadline) return got;
      await sleep(20);
    }
  }

  async stop(): Promise<void> {
    await this.proc.stop('SIGTERM', 1_000);
  }

  private sync(): void {
    for (; this.parsed < this.proc.lines.length; this.parsed++) {
      const line = this.proc.lines[this.parsed] as string;
      if (!line.startsWith('{"rx"')) continue;
      const rx = (JSON.parse(line) as { rx: { from: string; port: number; localPort: number; data: string } }).rx;
      const data = Buffer.from(rx.data, 'hex');
      const decoded = decode(data);
      this.received.push({ from: rx.from, port: rx.port, localPort: rx.localPort, data, message: decoded.ok ? decoded.msg : undefined });
    }
  }
}

async function setAddress(c: ClientNs, address: string, prefixLength: number): Promise<void> {
  await run('ip', ['-n', c.ns, 'addr', 'flush', 'dev', c.iface], { timeoutMs: 5_000 });
  await run('ip', ['-n', c.ns, 'addr', 'add', `${address}/${prefixLength}`, 'dev', c.iface], { timeoutMs: 5_000 });
}

/** Option 53 of a reply. */
export const typeOf = (m: DhcpMessage): number | undefined => m.options.find((o) => o.code === 53)?.data[0];
