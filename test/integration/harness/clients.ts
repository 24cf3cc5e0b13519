// Real DHCPv4 clients (busybox udhcpc, ISC dhclient, dhcpcd) run inside a client namespace; each reports its lease.
import { chmodSync, existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { exec, Proc, sleep, tempDir, type ExecResult } from './proc.js';
import type { ClientNs } from './netns.js';

export type ClientKind = 'udhcpc' | 'dhclient' | 'dhcpcd';

export interface LeaseResult {
  readonly client: ClientKind;
  /** The hook reason the client ran its script with (udhcpc: bound/renew; dhclient, dhcpcd: BOUND/REBOOT/…). */
  readonly reason: string;
  readonly ip: string;
  readonly mask: string;
  readonly router?: string;
  readonly leaseTime?: number;
  readonly serverId?: string;
}

/**
 * The hook script every client runs instead of its distribution script: it configures the address, then records
 * the lease in <dir>/<reason> and appends the reason to <dir>/events, and never touches /etc/resolv.conf.
 * Clients other than dhcpcd leave address configuration to the script; it happens inside the namespace.
 */
function writeHook(dir: string, kind: ClientKind): string {
  const vars =
    kind === 'udhcpc'
      ? 'R="$1"; IP="$ip"; MASK="$subnet"; GW="$router"; LT="$lease"; SID="$serverid"; PFX="$mask"'
      : 'R="$reason"; IP="$new_ip_address"; MASK="$new_subnet_mask"; GW="$new_routers"; ' +
        'LT="$new_dhcp_lease_time"; SID="$new_dhcp_server_identifier"; PFX="$new_subnet_mask"';
  const configure =
    kind === 'dhcpcd'
      ? ''
      : `case "$R" in
  bound|renew|BOUND|RENEW|REBIND|REBOOT) ip addr flush dev "$interface"; ip addr add "$IP/$PFX" dev "$interface" ;;
  deconfig|EXPIRE|FAIL|RELEASE|STOP) ip addr flush dev "$interface" ;;
  PREINIT) ip link set dev "$interface" up ;;
esac`;
  // Configured first, recorded after: a test that sees the event may rely on the address (and add routes through
  // it) without racing the script's own "ip addr flush", which also takes away routes via that link.
  const script = `#!/bin/sh
${vars}
${configure}
printf 'reason=%s\\nip=%s\\nmask=%s\\nrouter=%s\\nlease=%s\\nserverid=%s\\n' "$R" "$IP" "$MASK" "$GW" "$LT" "$SID" > "${dir}/$R.tmp"
mv "${dir}/$R.tmp" "${dir}/$R"
echo "$R" >> "${dir}/events"
exit 0
`;
  const path = join(dir, 'hook.sh');
  writeFileSync(path, script);
  chmodSync(path, 0o755);
  return path;
}

function readLease(dir: string, kind: ClientKind, reasons: readonly string[]): LeaseResult | undefined {
  for (const reason of reasons) {
    const file = join(dir, reason);
    if (!existsSync(file)) continue;
    const kv = new Map<string, string>();
    for (const line of readFileSync(file, 'utf8').split('\n')) {
      const eq = line.indexOf('=');
      if (eq > 0) kv.set(line.slice(0, eq), line.slice(eq + 1));
    }
    const ip = kv.get('ip') ?? '';
    if (ip === '') continue;
    const opt = (k: string): string | undefined => (kv.get(k) ? kv.get(k) : undefined);
    const lt = opt('lease');
    return {
      client: kind,
      reason,
      ip,
      mask: kv.get('mask') ?? '',
      router: opt('router')?.split(' ')[0],
      leaseTime: lt === undefined ? undefined : Number(lt),
      serverId: opt('serverid'),
    };
  }
  return undefined;
}

/** The reasons that mean "I hold this lease now", most recent kind first. */
const GOT = {
  udhcpc: ['renew', 'bound'],
  dhclient: ['RENEW', 'REBIND', 'REBOOT', 'BOUND'],
  dhcpcd: ['RENEW', 'REBIND', 'REBOOT', 'BOUND'],
} as const;

function failure(kind: ClientKind, c: ClientNs, r: ExecResult): Error {
  const why = r.timedOut ? 'timed out' : `exited ${r.code ?? r.signal}`;
  return new Error(`${kind} in ${c.ns} (${c.mac}) got no lease: ${why}\n${(r.stdout + r.stderr).trim().slice(-1500)}`);
}

const inNs = (c: ClientNs, argv: readonly string[]): [string, string[]] => ['ip', ['netns', 'exec', c.ns, ...argv]];

export interface ClientOptions {
  /** Whole-exchange bound, enforced by SIGKILL. */
  readonly timeoutMs?: number;
  /** Ask for this address (option 50). */
  readonly requestIp?: string;
  /** dhcpcd only: probe the offered address with ARP (RFC 5227) and DECLINE it when someone answers. */
  readonly arp?: boolean;
}

/** busybox udhcpc, one shot: DISCOVER … ACK, configure, exit. */
export async function udhcpc(c: ClientNs, opts: ClientOptions = {}): Promise<LeaseResult> {
  const dir = tempDir('udhcpc');
  const hook = writeHook(dir, 'udhcpc');
  const req = opts.requestIp === undefined ? [] : ['-r', opts.requestIp];
  const argv = ['busybox', 'udhcpc', '-i', c.iface, '-f', '-q', '-n', '-t', '4', '-T', '2', '-A', '1', '-s', hook, ...req];
  const r = await exec(...inNs(c, argv), { timeoutMs: opts.timeoutMs ?? 20_000 });
  const lease = readLease(dir, 'udhcpc', GOT.udhcpc);
  if (r.code !== 0 || lease === undefined) throw failure('udhcpc', c, r);
  return lease;
}

/** A udhcpc that stays running so it can be told to renew (SIGUSR1) or release (SIGUSR2). */
export class UdhcpcSession {
  private constructor(
    readonly c: ClientNs,
    private readonly dir: string,
    private readonly proc: Proc,
  ) {}

  static async start(c: ClientNs, timeoutMs = 20_000): Promise<UdhcpcSession> {
    const dir = tempDir('udhcpc');
    const hook = writeHook(dir, 'udhcpc');
    const argv = ['busybox', 'udhcpc', '-i', c.iface, '-f', '-t', '4', '-T', '2', '-A', '1', '-s', hook];
    const s = new UdhcpcSession(c, dir, new Proc('udhcpc', ...inNs(c, argv)));
    await s.waitForEvent('bound', timeoutMs);
    return s;
  }

  get lease(): LeaseResult | undefined {
    return readLease(this.dir, 'udhcpc', GOT.udhcpc);
  }

  events(): string[] {
    const f = join(this.dir, 'events');
    return existsSync(f) ? readFileSync(f, 'utf8').split('\n').filter(Boolean) : [];
  }

  /** RFC 2131 §4.4.5 RENEWING: unicast REQUEST to the server; resolves with the renewed lease. */
  async renew(timeoutMs = 10_000): Promise<LeaseResult> {
    const before = this.events().length;
    this.proc.signal('SIGUSR1');
    await this.waitForEvent('renew', timeoutMs, before);
    return this.lease as LeaseResult;
  }

  /**
   * Asks for a renewal (SIGUSR1) and waits for the hook `reason` it leads to: 'renew' when ACKed; 'nak' when
   * NAKed, or 'bound' once udhcpc, NAKed, has started over and bound again. Resolves with the lease recorded under
   * that reason (none for 'nak').
   */
  async renewUntil(reason: 'renew' | 'nak' | 'bound', timeoutMs = 20_000): Promise<LeaseResult | undefined> {
    const before = this.events().length;
    this.proc.signal('SIGUSR1');
    await this.waitForEvent(reason, timeoutMs, before);
    return reason === 'nak' ? undefined : readLease(this.dir, 'udhcpc', [reason]);
  }

  /** Waits for a hook reason after the `after`-th event (e.g. 'bound' once the server serves the client again). */
  async until(reason: string, after: number, timeoutMs = 20_000): Promise<LeaseResult | undefined> {
    await this.waitForEvent(reason, timeoutMs, after);
    return readLease(this.dir, 'udhcpc', [reason]);
  }

  /** Sends RELEASE and deconfigures (udhcpc stays idle until stopped). */
  async release(timeoutMs = 5_000): Promise<void> {
    const before = this.events().length;
    this.proc.signal('SIGUSR2');
    await this.waitForEvent('deconfig', timeoutMs, before);
  }

  async stop(): Promise<void> {
    await this.proc.stop('SIGTERM', 2_000);
  }

  private async waitForEvent(reason: string, timeoutMs: number, after = 0): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (!this.events().slice(after).includes(reason)) {
      if (!this.proc.running) throw new Error(`udhcpc in ${this.c.ns} exited before '${reason}':\n${this.proc.tail()}`);
      if (Date.now() > deadline) throw new Error(`udhcpc in ${this.c.ns}: no '${reason}' in ${timeoutMs} ms:\n${this.proc.tail()}`);
      await sleep(50);
    }
  }
}

/** ISC dhclient: its own config, script, lease and pid files in a private directory. */
export class DhclientSession {
  private constructor(
    readonly c: ClientNs,
    private readonly dir: string,
  ) {}

  static async start(c: ClientNs, opts: ClientOptions = {}): Promise<DhclientSession> {
    const s = new DhclientSession(c, tempDir('dhclient'));
    const req = opts.requestIp === undefined ? '' : `send dhcp-requested-address ${opts.requestIp};\n`;
    writeFileSync(
      join(s.dir, 'dhclient.conf'),
      `timeout 15;\nretry 1;\ninitial-interval 1;\nbackoff-cutoff 2;\n${req}` +
        'request subnet-mask, broadcast-address, routers, dhcp-lease-time, dhcp-server-identifier;\n',
    );
    writeHook(s.dir, 'dhclient');
    await s.acquire(opts.timeoutMs);
    return s;
  }

  get lease(): LeaseResult | undefined {
    return readLease(this.dir, 'dhclient', GOT.dhclient);
  }

  /** Hook reasons in the order dhclient ran them (PREINIT, BOUND, RENEW, REBIND, …). */
  events(): string[] {
    const f = join(this.dir, 'events');
    return existsSync(f) ? readFileSync(f, 'utf8').split('\n').filter(Boolean) : [];
  }

  /** Runs `dhclient -1`: it exits 0 once bound, leaving a daemon that renews; resolves with the new lease. */
  async acquire(timeoutMs = 25_000): Promise<LeaseResult> {
    for (const r of GOT.dhclient) writeFileSync(join(this.dir, r), '');
    const r = await exec(...inNs(this.c, this.argv('-1')), { timeoutMs });
    const lease = this.lease;
    if (r.code !== 0 || lease === undefined) throw failure('dhclient', this.c, r);
    return lease;
  }

  /** RFC 2131 §4.4.6: DHCPRELEASE, then the running dhclient exits. */
  async release(timeoutMs = 10_000): Promise<void> {
    const r = await exec(...inNs(this.c, this.argv('-r')), { timeoutMs });
    if (r.code !== 0) throw failure('dhclient', this.c, r);
  }

  /** Stops the running dhclient without releasing (the lease file stays, so the next acquire is INIT-REBOOT). */
  async stop(timeoutMs = 10_000): Promise<void> {
    await exec(...inNs(this.c, this.argv('-x')), { timeoutMs });
  }

  private argv(mode: string): string[] {
    const f = (n: string): string => join(this.dir, n);
    return ['dhclient', '-4', mode, '-v', '-cf', f('dhclient.conf'), '-sf', f('hook.sh'), '-lf', f('leases'), '-pf', f('pid'), this.c.iface];
  }
}

/**
 * dhcpcd, one shot, IPv4 only, no ARP probe, no IPv4LL, our script instead of dhcpcd-run-hooks.
 * dhcpcd keeps /var/lib/dhcpcd/<iface>.lease, so running it again on the same client is an INIT-REBOOT.
 */
export async function dhcpcd(c: ClientNs, opts: ClientOptions = {}): Promise<LeaseResult> {
  const dir = tempDir('dhcpcd');
  const hook = writeHook(dir, 'dhcpcd');
  const conf = join(dir, 'dhcpcd.conf');
  const arp = opts.arp === true ? '' : 'noarp\n';
  writeFileSync(conf, `noipv4ll\n${arp}clientid\noption subnet_mask, routers, dhcp_lease_time\nnohook resolv.conf\n`);
  const req = opts.requestIp === undefined ? [] : ['-r', opts.requestIp];
  // After a DECLINE dhcpcd waits 10 s before it starts again (RFC 2131 §3.1.5), so ARP runs get more time.
  const argv = ['dhcpcd', '-f', conf, '-c', hook, '-1', '-4', '-B', '-t', opts.arp === true ? '35' : '15', ...req, c.iface];
  const r = await exec(...inNs(c, argv), { timeoutMs: opts.timeoutMs ?? (opts.arp === true ? 45_000 : 25_000) });
  const lease = readLease(dir, 'dhcpcd', GOT.dhcpcd);
  if (r.code !== 0 || lease === undefined) throw failure('dhcpcd', c, r);
  return lease;
}

/**
 * dhcpcd --inform (RFC 2131 §3.4): the interface already has `address/prefix`; dhcpcd asks only for configuration
 * (DHCPINFORM) and runs its hook with reason INFORM. Resolves with what the hook recorded.
 */
export async function dhcpcdInform(c: ClientNs, cidr: string, opts: { timeoutMs?: number } = {}): Promise<LeaseResult> {
  const dir = tempDir('dhcpcd');
  const hook = writeHook(dir, 'dhcpcd');
  const conf = join(dir, 'dhcpcd.conf');
  writeFileSync(conf, 'noipv4ll\nnoarp\nclientid\noption subnet_mask, routers, domain_name_servers\nnohook resolv.conf\n');
  await exec('ip', ['-n', c.ns, 'addr', 'replace', cidr, 'dev', c.iface], { timeoutMs: 5_000 });
  const argv = ['dhcpcd', '-f', conf, '-c', hook, '-1', '-4', '-B', '-t', '15', '-s', cidr, c.iface];
  const r = await exec(...inNs(c, argv), { timeoutMs: opts.timeoutMs ?? 25_000 });
  const lease = readLease(dir, 'dhcpcd', ['INFORM']);
  if (r.code !== 0 || lease === undefined) throw failure('dhcpcd', c, r);
  return lease;
}

/** Any of the three, one shot, by name (handy for table-driven tests). */
export function acquire(kind: ClientKind, c: ClientNs, opts: ClientOptions = {}): Promise<LeaseResult> {
  if (kind === 'udhcpc') return udhcpc(c, opts);
  if (kind === 'dhcpcd') return dhcpcd(c, opts);
  return DhclientSession.start(c, opts).then((s) => s.lease as LeaseResult);
}
