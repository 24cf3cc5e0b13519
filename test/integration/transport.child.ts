// Runs one transport inside a test network namespace and drives it by JSON lines (stdin commands, stdout events),
// for test/integration/transport.test.ts. Logs (pino JSON) go to stderr.
//   argv[2]: {"mode": "auto" | "fallback", "port": 67, "interfaces": [...]}
//   in:  {"id": 1, "cmd": "send", "out": {"data": "<hex>", "to": {...}, "ifaceName"?, "source"?, "hwAddress"?}}
//        {"id": 5, "cmd": "sendMany", "outs": [...]}: all in one turn, answered with one outcome per message
//        {"id": 2, "cmd": "stats"} | {"id": 3, "cmd": "refresh"} | {"id": 4, "cmd": "close"}
//   out: {"evt": "ready", "kind", "interfaces"} | {"evt": "inbound", ...} | {"id", "ok", ...}
import { createInterface } from 'node:readline';
import { pino } from 'pino';
import { NetError, type DhcpdError } from '../../src/errors.js';
import { RX_SLOT_SIZE, RX_SLOTS } from '../../src/net/native-binding.js';
import type { NativeTransport } from '../../src/net/native-transport.js';
import { openTransport } from '../../src/net/select-transport.js';
import type { Transport } from '../../src/net/types.js';

interface Command {
  readonly id: number;
  readonly cmd: 'send' | 'sendMany' | 'stats' | 'refresh' | 'close';
  readonly out?: WireOut;
  readonly outs?: readonly WireOut[];
}

interface WireOut {
  readonly data: string;
  readonly to: { address: string; port: number };
  readonly ifaceName?: string;
  readonly source?: string;
  readonly hwAddress?: string;
}

/** What became of one send: ok, or the typed error. */
async function outcome(out: WireOut): Promise<Record<string, unknown>> {
  const { data, ...rest } = out;
  try {
    await transport.send({ ...rest, data: Buffer.from(data, 'hex') });
    return { ok: true };
  } catch (error) {
    const e = error as DhcpdError;
    return { ok: false, code: e.code, transient: e.transient, details: e.details };
  }
}

const emit = (obj: unknown): void => void process.stdout.write(`${JSON.stringify(obj)}\n`);
const opts = JSON.parse(process.argv[2] ?? '{}') as { mode: 'auto' | 'fallback'; port: number; interfaces: string[] };
const logger = pino({ level: 'debug' }, pino.destination({ dest: 2, sync: true }));

const transport: Transport = await openTransport({
  port: opts.port,
  interfaces: opts.interfaces,
  logger,
  native: { refreshIntervalMs: 500 },
  ...(opts.mode === 'fallback'
    ? {
        loadBinding: () => {
          throw new NetError('DHCPD_ERR_NET_NATIVE_UNAVAILABLE', 'forced by the test');
        },
      }
    : {}),
});
const native = transport.kind === 'native' ? (transport as NativeTransport) : undefined;

transport.inbound$.subscribe((i) =>
  emit({
    evt: 'inbound',
    data: i.data.toString('hex'),
    from: i.from,
    iface: i.iface?.name ?? null,
    ifindex: i.iface?.index ?? null,
    broadcast: i.broadcast ?? null,
    localAddress: i.localAddress ?? null,
    // Whether the datagram's bytes are in memory nothing else writes to: its own, or its receive batch's exact-size
    // buffer (flat-receive.ts) — not the receive slots the next recvmmsg overwrites (64 of 8 KiB), nor a pool slab.
    ownMemory: i.data.buffer.byteLength < RX_SLOTS * RX_SLOT_SIZE && i.data.buffer.byteLength !== Buffer.poolSize,
  }),
);

async function handle(c: Command): Promise<void> {
  if (c.cmd === 'send' && c.out !== undefined) {
    emit({ id: c.id, ...(await outcome(c.out)) });
  } else if (c.cmd === 'sendMany' && c.outs !== undefined) {
    emit({ id: c.id, ok: true, outcomes: await Promise.all(c.outs.map(outcome)) });
  } else if (c.cmd === 'stats') {
    emit({ id: c.id, ok: true, stats: native?.stats() ?? null, interfaces: transport.interfaces() });
  } else if (c.cmd === 'refresh') {
    emit({ id: c.id, ok: true, interfaces: native?.refreshInterfaces() ?? [] });
  } else if (c.cmd === 'close') {
    await transport.close();
    emit({ id: c.id, ok: true });
    process.exit(0);
  }
}

createInterface({ input: process.stdin })
  .on('line', (line) => void handle(JSON.parse(line) as Command))
  // The test process went away: do not outlive it.
  .on('close', () => void transport.close().then(() => process.exit(0)));
emit({ evt: 'ready', kind: transport.kind, interfaces: transport.interfaces() });
