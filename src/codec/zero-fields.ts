// The all-zero sname and file fields (RFC 2131 §2) nearly every message has: one shared buffer each, for decoded
// requests and built replies alike. Read-only by convention (messages are read, never written), which is also what
// lets the encoder leave such a field as the zeros its buffer starts with instead of copying 192 zero bytes.
import { FILE_LEN, SNAME_LEN } from './wire.js';

export const ZERO_SNAME: Buffer = Buffer.alloc(SNAME_LEN);
export const ZERO_FILE: Buffer = Buffer.alloc(FILE_LEN);
