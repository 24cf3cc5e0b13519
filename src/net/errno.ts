// Negative errno values from the native addon -> typed NetErrors, with the errno name kept as `cause.code`.
import { constants } from 'node:os';
import { NetError, type ErrorCode } from '../errors.js';

const NAMES = new Map<number, string>(Object.entries(constants.errno).map(([name, n]) => [n, name]));

/** "ENETDOWN" for 100 (Linux); "E<n>" for numbers the platform does not name. */
export function errnoName(errno: number): string {
  const n = Math.abs(errno);
  return NAMES.get(n) ?? `E${n}`;
}

/** Errnos that mean the link or its addresses changed under us: worth re-reading the interfaces. */
export const LINK_ERRNOS: ReadonlySet<string> = new Set(['ENETDOWN', 'ENXIO', 'ENODEV', 'EADDRNOTAVAIL', 'ENETUNREACH']);

export function errnoError(code: ErrorCode, errno: number, what: string, details: Record<string, unknown> = {}): NetError {
  const name = errnoName(errno);
  const cause = Object.assign(new Error(`${what}: ${name}`), { code: name, errno: -Math.abs(errno) });
  return new NetError(code, `${what} failed: ${name}`, { cause, details: { ...details, errno: name } });
}
