// Maps LevelDB open failures to the error model, pointing the operator at the repair command when it can help.
import { StoreError } from '../errors.js';

export function repairCommand(location: string): string {
  return `npx actor-dhcpd repair-store ${location}`;
}

/** The error and its causes, outermost first (bounded: a cause cycle must not hang start-up). */
function causeChain(error: unknown): unknown[] {
  const chain: unknown[] = [];
  let current: unknown = error;
  while (current !== undefined && current !== null && chain.length < 8) {
    chain.push(current);
    current = (current as { cause?: unknown }).cause;
  }
  return chain;
}

function codeOf(error: unknown): unknown {
  return (error as { code?: unknown } | null)?.code;
}

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

/** classic-level wraps LevelDB's status in LEVEL_DATABASE_NOT_OPEN; the real reason is in the cause. */
function innermostMessage(error: unknown): string {
  const chain = causeChain(error);
  return messageOf(chain[chain.length - 1]);
}

export function isCorruption(error: unknown): boolean {
  return causeChain(error).some((e) => codeOf(e) === 'LEVEL_CORRUPTION' || /\bCorruption\b/.test(messageOf(e)));
}

/** A LevelDB file of the store is missing or unreadable: the same repair may recover what is left. */
function isDamagedFile(error: unknown): boolean {
  return causeChain(error).some((e) => /IO error.*(MANIFEST|CURRENT|\.ldb|\.sst|\.log)\b/.test(messageOf(e)));
}

function damaged(code: 'DHCPD_ERR_STORE_CORRUPT' | 'DHCPD_ERR_STORE_OPEN', error: unknown, location: string): StoreError {
  return new StoreError(
    code,
    `lease store at ${location} is damaged (${innermostMessage(error)}); stop the server, back up the directory ` +
      `and run: ${repairCommand(location)}`,
    { cause: error, details: { location, repair: repairCommand(location) } },
  );
}

/** A failed read: LevelDB finds a damaged table block only when it reads it, possibly long after open. */
export function mapReadError(error: unknown, location: string): StoreError {
  if (error instanceof StoreError) return error;
  if (isCorruption(error)) return damaged('DHCPD_ERR_STORE_CORRUPT', error, location);
  return new StoreError('DHCPD_ERR_STORE_READ', `lease store read failed: ${innermostMessage(error)}`, {
    cause: error,
    details: { location },
  });
}

export function mapOpenError(error: unknown, location: string): StoreError {
  if (error instanceof StoreError) return error;
  const reason = innermostMessage(error);
  const details = { location };
  if (isCorruption(error)) return damaged('DHCPD_ERR_STORE_CORRUPT', error, location);
  if (isDamagedFile(error)) return damaged('DHCPD_ERR_STORE_OPEN', error, location);
  if (causeChain(error).some((e) => codeOf(e) === 'LEVEL_LOCKED')) {
    return new StoreError(
      'DHCPD_ERR_STORE_OPEN',
      `lease store at ${location} is locked by another process (is another actor-dhcpd running?)`,
      { cause: error, details },
    );
  }
  return new StoreError('DHCPD_ERR_STORE_OPEN', `cannot open lease store at ${location}: ${reason}`, {
    cause: error,
    details,
  });
}
