// Sends a decision's reply: encoded within option 57, routed per RFC 2131 §4.1, retried on transient errors.
import { briefError, type AggregatedLog } from '../aggregated-log.js';
import type { Clock } from '../clock.js';
import type { Logger } from '../log.js';
import { replyOutbound, type Ports } from '../net/egress.js';
import type { Outbound, Transport } from '../net/types.js';
import type { RoutedRequest } from '../../machines/transaction.types.js';
import { retry } from '../supervisor/retry.js';
import { DEFAULT_SEND_RETRY, type RetryPolicy } from '../config/supervision-policy.js';
import { classify, type DhcpdError } from '../errors.js';
import type { Decision, Reply } from './decision.js';
import type { MessageType } from '../codec/types.js';
import { getIpOption, getParameterRequestList } from '../codec/index.js';
import { encodeWithin, fitReply, type FittedReply } from './reply-fit.js';
import type { ResponseCache } from './response-cache.js';
import { LEASE_DROPS } from './shedding.js';
import type { Stats } from './stats.js';

export interface ReplySender {
  send(decision: Decision, routed: RoutedRequest): void;
  /** Sends the cached reply when the request is a retransmission of one already answered; false if it is not. */
  resend(routed: RoutedRequest): boolean;
}

/** A reply on its way: what its outcome needs, handed to the transport as post's token. */
interface Sending {
  readonly transport: Transport;
  readonly out: Outbound;
  readonly type: MessageType;
  readonly routed: RoutedRequest;
}

export function createReplySender(deps: {
  readonly transport: () => Transport | undefined;
  readonly ports: () => Ports;
  readonly clock: Clock;
  readonly log: Logger;
  readonly stats: Stats;
  readonly notices: AggregatedLog;
  /** The config's supervision.sendRetry (read per reply, so a reload applies). */
  readonly sendRetry?: () => RetryPolicy;
  /** Replies kept for retransmissions. */
  readonly cache?: ResponseCache;
  /** RFC 3118: signs the reply to a request that authenticated (security/reply-signer.ts). */
  readonly signReply?: (reply: Buffer, routed: RoutedRequest) => Buffer;
}): ReplySender {
  const { log, stats } = deps;
  const sent = (sending: Sending): void => {
    stats.sentMessage(sending.type);
    deps.cache?.remember(sending.routed, sending.out, sending.type);
  };
  /** Made once: the transport calls it with each reply's Sending (no closure per reply). */
  const firstOutcome = (sending: Sending, ok: boolean, error: unknown): void => {
    if (ok) sent(sending);
    else retryAfter(sending, error);
  };
  const retryAfter = (sending: Sending, error: unknown): void => {
    const { transport, out, routed } = sending;
    let first: Promise<void> | undefined = Promise.reject(error);
    const attempt = (): Promise<void> => {
      const outcome = first ?? sendOnce(transport, out);
      first = undefined;
      return outcome;
    };
    retry(attempt, deps.sendRetry?.() ?? DEFAULT_SEND_RETRY, deps.clock, {
      // Per-packet trouble: counted, logged aggregated by errno, no stack (a hostile giaddr is not a bug).
      onRetry: (err) => {
        stats.count(stats.events, 'send.retry');
        deps.notices.note('warn', 'send.retry', reasonOf(err), 'send failed, retrying', { err: briefError(err), xid: routed.request.xid });
      },
      onGiveUp: (err) => {
        stats.count(stats.events, 'send.failed');
        deps.notices.note('warn', 'send.failed', reasonOf(err), 'reply not sent', { err: briefError(err), xid: routed.request.xid, to: out.to.address });
      },
    }).then(() => sent(sending), (err: unknown) => stats.error(classify(err).category));
  };
  return {
    send(decision, routed) {
      if (decision.kind === 'accepted') {
        // A RELEASE or DECLINE acted on: counted, so every message handled shows in some counter.
        stats.count(stats.events, 'dhcp.accepted');
        return;
      }
      if (decision.kind === 'drop') {
        stats.count(stats.drops, decision.reason);
        if (LEASE_DROPS.has(decision.reason)) stats.error('lease');
        log.debug({ evt: 'dhcp.dropped', reason: decision.reason, client: routed.clientKey, xid: routed.request.xid });
        return;
      }
      const transport = deps.transport();
      if (transport === undefined) return;
      if (decision.nakReason !== undefined) stats.count(stats.naks, decision.nakReason);
      const encoded = encodeOrReport(decision, routed, deps);
      if (encoded === undefined) return;
      const data = deps.signReply?.(encoded, routed) ?? encoded;
      const canUnicast = transport.kind === 'native' && decision.message.htype === 1 && decision.message.hlen === 6;
      const out = replyOutbound(data, decision.type, decision.message, routed.request, deps.ports(), canUnicast, routed.inbound, getIpOption(decision.message, 54));
      const sending: Sending = { transport, out, type: decision.type, routed };
      // The first attempt goes out without the retry machinery (a promise chain, hooks and closures per reply that
      // nearly every reply would throw away); only a failure starts it, handing it that attempt's outcome first.
      if (transport.post === undefined) {
        sendOnce(transport, out).then(() => firstOutcome(sending, true, undefined), (error: unknown) => firstOutcome(sending, false, error));
        return;
      }
      try {
        transport.post(out, firstOutcome, sending);
      } catch (error) {
        // As sendOnce does for send(): a throw is that attempt's failure (the retry machinery decides).
        firstOutcome(sending, false, error);
      }
    },
    resend(routed) {
      const transport = deps.transport();
      const cached = transport === undefined ? undefined : deps.cache?.lookup(routed);
      if (transport === undefined || cached === undefined) return false;
      // One attempt: if it fails, the client retransmits again.
      transport.send(cached.reply).then(
        () => stats.sentMessage(cached.type),
        (err: unknown) => stats.error(classify(err).category),
      );
      return true;
    },
  };
}

/**
 * Fits the reply to option 57 (trimmed options are logged at debug and counted); an encode failure (a bug: a
 * malformed message) loses this reply, never the daemon.
 */
function encodeOrReport(decision: Reply, routed: RoutedRequest, deps: { readonly log: Logger; readonly stats: Stats }): Buffer | undefined {
  try {
    // Nearly every reply fits as it is: its bytes, without a FittedReply.
    const data = encodeWithin(decision.message, decision.maxSize);
    if (data !== undefined) return data;
    const fitted = fitReply(decision.message, decision.maxSize, getParameterRequestList(routed.request));
    if (fitted.dropped.length > 0 || fitted.oversize) reportTrim(fitted, decision, routed, deps);
    return fitted.data;
  } catch (error) {
    const err = classify(error);
    deps.stats.error(err.category);
    deps.stats.count(deps.stats.drops, 'reply-unencodable');
    deps.log.error({ evt: 'reply.encode_failed', err, xid: routed.request.xid, client: routed.clientKey }, 'reply not encodable');
    return undefined;
  }
}

/** Per-packet, so debug only; the counters say how often it happens. */
function reportTrim(fitted: FittedReply, decision: Reply, routed: RoutedRequest, deps: { readonly log: Logger; readonly stats: Stats }): void {
  deps.stats.count(deps.stats.events, fitted.oversize ? 'reply.oversize' : 'reply.trimmed');
  deps.log.debug({
    evt: fitted.oversize ? 'reply.oversize' : 'reply.trimmed', dropped: fitted.dropped, maxSize: decision.maxSize,
    size: fitted.data.length, xid: routed.request.xid, client: routed.clientKey,
  }, fitted.oversize ? 'reply larger than the client asked for: even its protected options do not fit' : 'options dropped to fit the client\'s maximum message size');
}

/** The transport's send as a promise even when it throws at once (the retry loop catches those too). */
function sendOnce(transport: Transport, out: Outbound): Promise<void> {
  try {
    return transport.send(out);
  } catch (error) {
    return Promise.reject(error);
  }
}

/** The errno name when the kernel gave one, else the error code: the key send trouble is aggregated by. */
function reasonOf(err: DhcpdError): string {
  const errno = (err.cause as { code?: unknown } | undefined)?.code;
  return typeof errno === 'string' ? errno : err.code;
}
