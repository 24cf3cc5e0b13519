// ISC Kea as a reference server, only to validate the harness itself (ADT_SERVER=kea): same topology, same pools.
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Proc, exec, tempDir } from './proc.js';
import { RELAY_SUBNET, DIRECT_SUBNET, SERVER_ADDRESS, BRIDGE, type Lab } from './netns.js';
import { DIRECT_POOL, RELAY_POOL, RESERVED_IP, RESERVED_MAC, type DhcpServer, type LogLine, type ServerSetup } from './daemon.js';

function keaConfig(lab: Lab, setup: ServerSetup): Record<string, unknown> {
  const pool = (p: { start: string; end: string }): { pool: string } => ({ pool: `${p.start} - ${p.end}` });
  return {
    Dhcp4: {
      'interfaces-config': { interfaces: [...lab.serverInterfaces], 'dhcp-socket-type': 'raw' },
      'lease-database': { type: 'memfile', persist: true, name: join(setup.stateDir, 'kea-leases.csv'), 'lfc-interval': 0 },
      'valid-lifetime': setup.leaseTime ?? 120,
      subnet4: [
        {
          id: 1,
          subnet: DIRECT_SUBNET,
          interface: BRIDGE,
          pools: [pool(DIRECT_POOL)],
          'option-data': [{ name: 'routers', data: SERVER_ADDRESS }],
          reservations: [{ 'hw-address': RESERVED_MAC, 'ip-address': RESERVED_IP }],
        },
        { id: 2, subnet: RELAY_SUBNET, pools: [pool(RELAY_POOL)], 'option-data': [{ name: 'routers', data: '203.0.113.1' }] },
      ],
      loggers: [{ name: 'kea-dhcp4', output_options: [{ output: 'stdout' }], severity: 'INFO' }],
    },
  };
}

class Kea implements DhcpServer {
  readonly name = 'kea-dhcp4';
  readonly logs: readonly LogLine[] = [];
  constructor(private readonly proc: Proc) {}
  waitForEvt(evt: string): Promise<LogLine> {
    return Promise.reject(new Error(`kea has no '${evt}' events`));
  }
  stop(): Promise<number | null> {
    return this.proc.stop('SIGTERM', 5_000);
  }
  async kill(): Promise<void> {
    await this.proc.stop('SIGKILL', 1_000);
  }
  output(): string {
    return this.proc.tail(60);
  }
}

export async function keaAvailable(): Promise<boolean> {
  return (await exec('sh', ['-c', 'command -v kea-dhcp4'], { timeoutMs: 2_000 })).code === 0;
}

export async function startKea(lab: Lab, setup: ServerSetup): Promise<DhcpServer> {
  const cfg = join(tempDir('kea'), 'kea.json');
  writeFileSync(cfg, JSON.stringify(keaConfig(lab, setup)));
  const run = join(setup.stateDir, 'run');
  if (!existsSync(run)) mkdirSync(run, { recursive: true });
  const env = { ...process.env, KEA_PIDFILE_DIR: run, KEA_LOCKFILE_DIR: run };
  const proc = new Proc('kea-dhcp4', 'ip', ['netns', 'exec', lab.server, 'kea-dhcp4', '-c', cfg], env);
  await proc.waitForLine((l) => l.includes('DHCP4_STARTED'), 15_000);
  return new Kea(proc);
}
