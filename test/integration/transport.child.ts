// Runs one transport inside a test network namespace and drives it by JSON lines (stdin commands, stdout events),
// for test/integration/transport.test.ts. Logs (pino JSON) go to stderr.
//   argv[2]: {"mode": "auto" | "fallback", "port": 67, "interfaces": [...]}
//   in:  {"id": 1, "cmd": "send", "out": {"data": "<hex>", "to": {...}, "ifaceName"?, "source"?, "hwAddress"?}}
//        {"id": 2, "cmd": "stats"} | {"id": 3, "cmd": "refresh"} | {"id": 4, "cmd": "close"}
//   out: {"evt": "ready", "kind", "interfaces"} | {"evt": "inbound", ...} | {"id", "ok", ...}
import { createInterface } from 'node:readline';
import { pino } from 'pino';
import { NetError, type DhcpdError } from '../../src/errors.js';
import type { NativeTransport } from '../../src/net/native-transport.js';
import { openTransport } from '../../src/net/select-transport.js';
import type { Transport } from '../../src/net/types.js';

interface Command {
  readonly id: number;
  readonly cmd: 'send' | 'stats' | 'refresh' | 'close';
  readonly out?: { data: string; to: { address: string; port: number }; ifaceName?: string; source?: string; hwAddress?: string };
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
  }),
);

async function handle(c: Command): Promise<void> {
  if (c.cmd === 'send' && c.out !== undefined) {
    const { data, ...rest } = c.out;
    try {
      await transport.send({ ...rest, data: Buffer.from(data, 'hex') });
      emit({ id: c.id, ok: true });
    } catch (error) {
      const e = error as DhcpdError;
      emit({ id: c.id, ok: false, code: e.code, transient: e.transient, details: e.details });
    }
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
