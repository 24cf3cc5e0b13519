// The abstract-level database type the LevelDB store and its history log share (no module cycle between them).
import type { AbstractLevel } from 'abstract-level';

/** Any abstract-level database with string default encodings (Level / ClassicLevel, MemoryLevel). */
export type LevelDatabase = AbstractLevel<string | Buffer | Uint8Array, string, string>;
