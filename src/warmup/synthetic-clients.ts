// The clients of a warm-up run (warm-up.ts): a bounded set of made-up hosts that each go through DISCOVER, REQUEST
// (selecting) and ACK, then some renew and some release, and some never take their OFFER, as real ones do; then
// they come back (a host restarted, a lease the server knows), a bounded number of times. Some start over with a
// new transaction while the server still holds their offer or still decides their last one, as a flood's clients
// do (an overloaded server's first second otherwise meets those paths cold). Their requests are
// written straight into the receive slots a socket batch would fill, in the three ways requests reach a server
// (relayed by unicast, relayed by broadcast on the server's link, broadcast by a client on it), and the server's
// replies are read back from the bytes it sends. Nothing here touches a socket.
import { ipToInt } from '../codec/index.js';
import { MessageType } from '../codec/types.js';
import { peekMessageType } from '../net/message-type.js';
import { RX_META_FIELDS, RX_SLOT_SIZE, RX_WAITS_AT, RX_DROPS_AT } from '../net/native-binding.js';

/** The made-up network (benchmark range 198.18.0.0/15, never on a wire): the server, its link, a relay. */
export const WARMUP_SERVER = '198.18.0.1';
export const WARMUP_RELAY = '198.19.0.1';
// As the addon's receive rows carry them: int32.
const SERVER = ipToInt(WARMUP_SERVER) | 0;
const RELAY = ipToInt(WARMUP_RELAY) | 0;
const LINK_RELAY = ipToInt('198.18.0.2') | 0;
const BROADCAST = -1; // 255.255.255.255 as an int32
const SERVER_PORT = 67;
const CLIENT_PORT = 68;

const { DISCOVER, OFFER, REQUEST, ACK, NAK, RELEASE } = MessageType;

/** Where a client is in its exchange. */
const IDLE = 0;
const DISCOVERING = 1;
const REQUESTING = 2;
const RENEWING = 3;
const RELEASING = 4;
const DONE = 5;

/** One OFFER in this many is not taken. */
const IGNORED_OFFER_EVERY = 8;
/** One client in this many sends each DISCOVER twice in one batch, the second with a new xid. */
const DOUBLE_START_EVERY = 32;
const DOUBLE_START_AT = 13;
/** The xid: the client's number in its low 24 bits, its attempt (a new transaction) in the high 8. */
const CLIENT_BITS = 24;
const CLIENT_MASK = (1 << CLIENT_BITS) - 1;

const OPTIONS_AT = 240;
const COOKIE = [99, 130, 83, 99];
const PARAMETERS = [1, 3, 6, 12, 15, 28, 51, 54, 58, 59];

export interface SyntheticCounts {
  readonly sent: number;
  readonly offers: number;
  /** OFFERs the clients did not take. */
  readonly ignored: number;
  /** Clients that started over with a new DISCOVER (a new xid) right after an OFFER they did not take. */
  readonly restarted: number;
  /** DISCOVERs sent twice in one batch, the second with a new xid. */
  readonly repeated: number;
  readonly acks: number;
  readonly naks: number;
  readonly released: number;
}

export class SyntheticClients {
  private readonly state: Uint8Array;
  private readonly address: Int32Array;
  /** Each client's current transaction (the xid's high byte): a reply to an earlier one is not its answer. */
  private readonly attempt: Uint8Array;
  /** Clients whose next request is due, as a ring of indexes: replies answered before new clients start. */
  private readonly due: Int32Array;
  private dueHead = 0;
  private dueCount = 0;
  /** The next client to start (again), and how many starts are left. */
  private cursor = 0;
  private startsLeft: number;
  private inFlight = 0;
  private counts = { sent: 0, offers: 0, ignored: 0, restarted: 0, repeated: 0, acks: 0, naks: 0, released: 0 };

  constructor(private readonly clientCount: number, private readonly maxInFlight: number, rounds: number) {
    if (clientCount > CLIENT_MASK + 1) throw new RangeError(`at most ${CLIENT_MASK + 1} synthetic clients`);
    this.startsLeft = clientCount * rounds;
    this.state = new Uint8Array(clientCount);
    this.address = new Int32Array(clientCount);
    this.attempt = new Uint8Array(clientCount);
    this.due = new Int32Array(clientCount);
  }

  get finished(): boolean {
    return this.startsLeft === 0 && this.dueCount === 0 && this.inFlight === 0;
  }

  stats(): SyntheticCounts {
    return { ...this.counts };
  }

  /**
   * Writes up to `max` requests into `slots`/`meta` as one recvmmsg batch would leave them, with `queueDrops` as the
   * socket's drop counter; one new DISCOVER in `staleEvery` (0: none) as one that waited `staleUs` in the queue.
   * Returns how many.
   */
  fill(slots: Uint8Array, meta: Int32Array, max: number, staleEvery: number, staleUs: number, queueDrops: number): number {
    let count = 0;
    while (count < max) {
      const client = this.nextClient();
      if (client < 0) break;
      const stale = staleEvery > 0 && this.state[client] === DISCOVERING && client % staleEvery === 0;
      if (!stale && this.startsTwice(client) && count + 1 < max) {
        // Its first DISCOVER is still being decided when the second arrives: the second waits behind it.
        this.write(client, slots, meta, count++, 0);
        this.restart(client);
        this.counts.repeated++;
      }
      this.write(client, slots, meta, count, stale ? staleUs : 0);
      count++;
    }
    meta[RX_DROPS_AT] = queueDrops;
    this.counts.sent += count;
    return count;
  }

  /** A reply the server sent (a DHCP message's bytes): the client it answers moves on. */
  replied(data: Uint8Array, offset: number, length: number): void {
    const type = peekMessageType(data, offset, length);
    if (type === 0) return;
    const xid = readU32(data, offset + 4);
    const client = xid & CLIENT_MASK;
    if (client >= this.clientCount || xid >>> CLIENT_BITS !== this.attempt[client]) return;
    const state = this.state[client]!;
    if (type === OFFER && state === DISCOVERING) {
      this.counts.offers++;
      if (this.counts.offers % IGNORED_OFFER_EVERY === 0) {
        // An OFFER the client never takes (lost on the way back under overload, or another server's was taken): its
        // address stays held. Every other such client starts over at once, with a new xid, and meets that held
        // offer; the others come back in a later round with the xid they had (a retransmission, if the server still
        // knows it). Without these, a fresh daemon's first overload met the held-offer paths cold and deoptimized ~20
        // functions at once (bench/README.md).
        this.counts.ignored++;
        if (this.counts.ignored % 2 === 1) {
          this.restart(client);
          this.counts.restarted++;
          this.enqueue(client);
          return;
        }
        this.state[client] = DONE;
        this.inFlight--;
        return;
      }
      this.address[client] = readU32(data, offset + 16) | 0;
      this.state[client] = REQUESTING;
      this.enqueue(client);
    } else if (type === ACK && (state === REQUESTING || state === RENEWING)) {
      this.counts.acks++;
      // One in eight bound clients renews once, one in sixteen then releases: the paths a running server also takes.
      if (state === REQUESTING && client % 8 === 3) {
        this.state[client] = RENEWING;
        this.enqueue(client);
      } else if (client % 16 === 11) {
        this.state[client] = RELEASING;
        this.inFlight--;
        this.enqueue(client);
      } else {
        this.state[client] = DONE;
        this.inFlight--;
      }
    } else if (type === NAK && (state === REQUESTING || state === RENEWING)) {
      this.counts.naks++;
      this.state[client] = DONE;
      this.inFlight--;
    }
  }

  private nextClient(): number {
    if (this.dueCount > 0) {
      const client = this.due[this.dueHead]!;
      this.dueHead = (this.dueHead + 1) % this.due.length;
      this.dueCount--;
      return client;
    }
    if (this.inFlight >= this.maxInFlight) return -1;
    // Clients still in an exchange are passed over; a bounded look keeps a batch's cost bounded.
    for (let look = 0; look < 64 && this.startsLeft > 0; look++) {
      const client = this.cursor;
      this.cursor = (this.cursor + 1) % this.clientCount;
      const state = this.state[client];
      if (state !== IDLE && state !== DONE) continue;
      this.state[client] = DISCOVERING;
      this.inFlight++;
      this.startsLeft--;
      return client;
    }
    return -1;
  }

  /** A client about to DISCOVER that sends it twice (DOUBLE_START_EVERY). */
  private startsTwice(client: number): boolean {
    return this.state[client] === DISCOVERING && client % DOUBLE_START_EVERY === DOUBLE_START_AT;
  }

  /** The client gives up its transaction and starts a new one: another xid, a DISCOVER. */
  private restart(client: number): void {
    this.attempt[client] = (this.attempt[client]! + 1) & 255;
    this.state[client] = DISCOVERING;
  }

  private enqueue(client: number): void {
    this.due[(this.dueHead + this.dueCount) % this.due.length] = client;
    this.dueCount++;
  }

  private write(client: number, slots: Uint8Array, meta: Int32Array, i: number, waitedUs: number): void {
    const state = this.state[client]!;
    const request = requestOf(client, state, this.address[client]!, this.attempt[client]!);
    const offset = i * RX_SLOT_SIZE;
    writeHeader(slots, offset, request);
    const end = writeOptions(slots, offset + OPTIONS_AT, request);
    const row = i * RX_META_FIELDS;
    meta[row] = offset;
    meta[row + 1] = end - offset;
    // Renewals and releases are unicast by the bound client itself, from its address.
    meta[row + 2] = request.bound ? request.address : request.relayed ? (request.way === 0 ? RELAY : LINK_RELAY) : 0;
    meta[row + 3] = request.bound || !request.relayed ? CLIENT_PORT : SERVER_PORT;
    meta[row + 4] = 1;
    meta[row + 5] = request.bound || request.way === 0 ? SERVER : BROADCAST;
    meta[RX_WAITS_AT + i] = request.type === DISCOVER ? waitedUs : 0;
    if (request.type === RELEASE) {
      this.state[client] = DONE;
      this.counts.released++;
    }
    if (request.type === DISCOVER && waitedUs > 0) {
      // Written as one that waited long in an overflowing queue: the server may shed it unread, so its client gives
      // up at once (an OFFER that still comes is ignored), and the run never waits for it.
      this.state[client] = DONE;
      this.inFlight--;
    }
  }
}

/** What a client sends next, from where it is. */
interface Request {
  readonly client: number;
  readonly xid: number;
  readonly type: number;
  /** 0: relayed by unicast, 1: relayed by broadcast on the link, 2: a client on the link. */
  readonly way: number;
  /** Sent by the bound client itself (a renewal, a release), from its address. */
  readonly bound: boolean;
  readonly relayed: boolean;
  /** Its address (offered or bound), as an int32. */
  readonly address: number;
  /** A REQUEST that names the offer (selecting): requested address and server identifier. */
  readonly selecting: boolean;
}

function requestOf(client: number, state: number, address: number, attempt: number): Request {
  const type = state === DISCOVERING ? DISCOVER : state === RELEASING ? RELEASE : REQUEST;
  const way = client % 3;
  const bound = state === RENEWING || state === RELEASING;
  const xid = ((attempt << CLIENT_BITS) | client) >>> 0;
  return { client, xid, type, way, bound, relayed: way !== 2 && !bound, address, selecting: state === REQUESTING };
}

function writeHeader(slots: Uint8Array, offset: number, r: Request): void {
  slots.fill(0, offset, offset + OPTIONS_AT);
  slots[offset] = 1; // BOOTREQUEST
  slots[offset + 1] = 1; // Ethernet
  slots[offset + 2] = 6;
  slots[offset + 3] = r.relayed ? 1 : 0;
  writeU32(slots, offset + 4, r.xid); // the same each round: a restarted host may well pick it again
  if (r.bound) writeU32(slots, offset + 12, r.address);
  if (r.relayed) writeU32(slots, offset + 24, RELAY);
  // chaddr: a locally administered MAC made from the client's number.
  slots[offset + 28] = 0x02;
  slots[offset + 29] = 0x57;
  writeU32(slots, offset + 30, r.client);
  slots.set(COOKIE, offset + 236);
}

/** Writes the request's options from `at`; returns where they end. */
function writeOptions(slots: Uint8Array, start: number, r: Request): number {
  const { client } = r;
  let at = option(slots, start, 53, [r.type]);
  if (client % 2 === 0) at = option(slots, at, 61, [1, 0x02, 0x57, ...bytesOf(client)]);
  if (r.selecting) at = option(slots, at, 50, bytesOf(r.address));
  if (r.selecting || r.type === RELEASE) at = option(slots, at, 54, bytesOf(SERVER));
  if (r.type !== RELEASE) {
    at = option(slots, at, 55, PARAMETERS);
    at = option(slots, at, 57, [0x05, 0xdc]);
  }
  // Option 82 as a relay adds it (RFC 3046): circuit id "warmup" and the way, remote id the client's number.
  if (r.relayed) at = option(slots, at, 82, [1, 7, 0x77, 0x61, 0x72, 0x6d, 0x75, 0x70, r.way, 2, 4, ...bytesOf(client)]);
  slots[at] = 255;
  return at + 1;
}

function option(slots: Uint8Array, at: number, code: number, value: readonly number[]): number {
  slots[at] = code;
  slots[at + 1] = value.length;
  for (let i = 0; i < value.length; i++) slots[at + 2 + i] = value[i]!;
  return at + 2 + value.length;
}

function bytesOf(ip: number): number[] {
  return [(ip >>> 24) & 255, (ip >>> 16) & 255, (ip >>> 8) & 255, ip & 255];
}

function readU32(data: Uint8Array, at: number): number {
  return ((data[at]! << 24) | (data[at + 1]! << 16) | (data[at + 2]! << 8) | data[at + 3]!) >>> 0;
}

function writeU32(data: Uint8Array, at: number, value: number): void {
  data[at] = value >>> 24;
  data[at + 1] = (value >>> 16) & 255;
  data[at + 2] = (value >>> 8) & 255;
  data[at + 3] = value & 255;
}
