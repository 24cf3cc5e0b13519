// Readies the control socket's path: its directory exists, a stale socket left by a crashed daemon is removed,
// and a socket another live daemon answers on is never stolen.
import { mkdir, lstat, unlink } from 'node:fs/promises';
import { connect } from 'node:net';
import { dirname } from 'node:path';
import { DhcpdError } from '../errors.js';

/** Whether something accepts connections on the socket: ECONNREFUSED means nobody listens any more. */
function answers(path: string, timeoutMs = 1_000): Promise<boolean> {
  return new Promise((resolve) => {
    const probe = connect({ path });
    const done = (live: boolean) => {
      probe.destroy();
      resolve(live);
    };
    probe.setTimeout(timeoutMs, () => done(true)); // a hung daemon still owns its socket
    probe.once('connect', () => done(true));
    probe.once('error', () => done(false));
  });
}

function listenError(path: string, reason: string): DhcpdError {
  return new DhcpdError('DHCPD_ERR_CONTROL_LISTEN', `control socket ${path}: ${reason}`, { details: { socket: path } });
}

export async function prepareSocketPath(path: string): Promise<'fresh' | 'stale-removed'> {
  // 0750: the socket's own mode is set after bind; until then the directory keeps others out.
  await mkdir(dirname(path), { recursive: true, mode: 0o750 });
  const existing = await lstat(path).catch((error: unknown) => {
    if ((error as { code?: unknown }).code === 'ENOENT') return undefined;
    throw listenError(path, `cannot inspect it (${String((error as { code?: unknown }).code ?? error)})`);
  });
  if (existing === undefined) return 'fresh';
  if (!existing.isSocket()) throw listenError(path, 'the path exists and is not a socket; remove it or choose another control.socket');
  if (await answers(path)) {
    throw listenError(path, 'another running daemon answers on it; stop it or give this daemon its own control.socket');
  }
  await unlink(path);
  return 'stale-removed';
}
