// Authentication (RFC 3118 delayed authentication, HMAC-MD5), per scope off | optional | required. A DISCOVER asks
// for it (option 90 without a MAC, §5.3); every later message must carry a MAC made with a configured key (by
// secret id) and a replay counter above the last one accepted from that client (RDM 0, §2).
import { timingSafeEqual } from 'node:crypto';
import { MessageType } from '../codec/types.js';
import { delayedAuthMac, DELAYED, findAuthOption, HMAC_MD5, RDM_MONOTONIC } from './rfc3118.js';
import { rejection, type Rejection, type SecurityPacket, type Stage } from './stage.js';

/** The last replay counter accepted per client: bounded, the least recently seen client forgotten first. */
export class ReplayCounters {
  private readonly last = new Map<string, bigint>();

  constructor(private readonly max: () => number) {}

  get size(): number {
    return this.last.size;
  }

  isFresh(clientKey: string, replay: bigint): boolean {
    const seen = this.last.get(clientKey);
    return seen === undefined || replay > seen;
  }

  accept(clientKey: string, replay: bigint): void {
    this.last.delete(clientKey);
    this.last.set(clientKey, replay);
    for (const key of this.last.keys()) {
      if (this.last.size <= this.max()) break;
      this.last.delete(key);
    }
  }
}

/** Who authenticated, by the datagram it arrived in: the key its reply is signed with (reply-signer.ts). */
export type Authenticated = WeakMap<object, { readonly secretId: number; readonly key: Buffer }>;

export function authStage(replays: ReplayCounters, authenticated?: Authenticated): Stage {
  const keyCache = new WeakMap<object, Map<number, Buffer>>();
  const keyOf = (keys: Readonly<Record<number, string>>, id: number): Buffer | undefined => {
    let map = keyCache.get(keys);
    if (map === undefined) keyCache.set(keys, (map = new Map(Object.entries(keys).map(([k, hex]) => [Number(k), Buffer.from(hex, 'hex')]))));
    return map.get(id);
  };
  return {
    id: 'auth',
    check(p: SecurityPacket): Rejection | undefined {
      const mode = p.settings('auth')?.mode ?? 'off';
      if (mode === 'off') return undefined;
      const auth = findAuthOption(p.inbound.data);
      if (auth === undefined) return mode === 'required' ? rejection('auth', 'missing') : undefined;
      if (auth.protocol !== DELAYED || auth.algorithm !== HMAC_MD5) {
        return mode === 'required' ? rejection('auth', 'unsupported-protocol', { protocol: auth.protocol, algorithm: auth.algorithm }) : undefined;
      }
      if (p.request.type === MessageType.DISCOVER) {
        // §5.3: the client only asks for authentication; §5.4: the server chooses the key its OFFER is signed with.
        const first = Object.keys(p.security.authKeys).map(Number).sort((a, b) => a - b)[0];
        const key = first === undefined ? undefined : keyOf(p.security.authKeys, first);
        if (first !== undefined && key !== undefined) authenticated?.set(p.inbound, { secretId: first, key });
        return undefined;
      }
      if (auth.rdm !== RDM_MONOTONIC) return rejection('auth', 'unsupported-rdm', { rdm: auth.rdm });
      if (auth.secretId === undefined || auth.macOffset === undefined) return rejection('auth', 'no-mac', { length: auth.length });
      const key = keyOf(p.security.authKeys, auth.secretId);
      if (key === undefined) return rejection('auth', 'unknown-key', { secretId: auth.secretId });
      const expected = delayedAuthMac(p.inbound.data, auth.macOffset, key);
      const given = p.inbound.data.subarray(auth.macOffset, auth.macOffset + 16);
      if (!timingSafeEqual(expected, given)) return rejection('auth', 'bad-mac', { secretId: auth.secretId });
      if (!replays.isFresh(p.clientKey, auth.replay)) return rejection('auth', 'replayed', { replay: auth.replay.toString() });
      replays.accept(p.clientKey, auth.replay);
      authenticated?.set(p.inbound, { secretId: auth.secretId, key });
      return undefined;
    },
  };
}
