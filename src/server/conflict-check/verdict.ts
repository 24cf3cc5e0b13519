// What the conflict check of an OFFER concludes, as the transaction's `checkConflict` effect answers it.
import type { Decision } from '../decision.js';

/** Send this decision (the OFFER, or a drop), or the address is in use: choose again. */
export type ConflictVerdict = { readonly kind: 'checked'; readonly decision: Decision } | { readonly kind: 'conflict' };

export const checked = (decision: Decision): ConflictVerdict => ({ kind: 'checked', decision });
