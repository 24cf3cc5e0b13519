// Types of packets.mjs (plain JavaScript so the generator runs unbuilt inside a namespace).

export interface HostilePacket {
  /** What was built: random-content, mutated, server-only-type, bootreply, too-short, bad-cookie, option-overrun, discover. */
  readonly kind: string;
  readonly data: Buffer;
  /** The server must not answer it, whatever its state. */
  readonly silent: boolean;
}

export interface ValidOptions {
  readonly hops?: number;
  readonly xid?: number;
  readonly flags?: number;
  readonly ciaddr?: Buffer;
  readonly giaddr?: Buffer;
  readonly chaddr?: Buffer;
  readonly requested?: readonly number[] | Buffer;
  readonly serverId?: readonly number[] | Buffer;
  readonly extra?: readonly Buffer[];
}

export interface PacketSource {
  valid(type: number, opts?: ValidOptions): Buffer;
  hostile(): HostilePacket;
  discoverFlood(): HostilePacket;
}

export function packetSource(seed: number): PacketSource;

export interface ForbiddenSummary {
  readonly forbiddenSent: number;
  readonly forbiddenAnswered: number;
  readonly forbiddenAnsweredByKind: Readonly<Record<string, number>>;
  readonly answeredSharingXid: number;
}

export interface ForbiddenLedger {
  sent(packet: HostilePacket): void;
  answered(reply: Buffer): string | undefined;
  summary(): ForbiddenSummary;
}

export function forbiddenLedger(): ForbiddenLedger;
