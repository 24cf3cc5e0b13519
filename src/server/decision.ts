// The server's outcome values (STYLE.md: outcomes are values): the constructors, and the types, defined with the
// transaction that carries them (machines/transaction.types.ts).
import type { Accepted, Drop, DropReason } from '../../machines/transaction.types.js';

export type { Accepted, Decision, Drop, DropReason, NakReason, Reply } from '../../machines/transaction.types.js';

export const ACCEPTED: Accepted = { kind: 'accepted' };

export const drop = (reason: DropReason): Drop => ({ kind: 'drop', reason });
