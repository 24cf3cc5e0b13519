// An HTTP listener bound before its handler exists. The daemon binds the control socket (and TCP port) before it
// starts, so a socket another daemon holds still stops it before it serves anything, but builds the fastify app
// behind them (~0.4 s of fastify, swagger and ajv) only once it serves DHCP. A request that comes in between waits
// for the app (and tells `whenWaiting`, so a request during a long restore has the app built at once); past a
// bounded number waiting, or when no app comes, it gets a 503 in the API's error shape.
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { DhcpdError } from '../errors.js';
import { errorBody } from './http-errors.js';

type Handler = (request: IncomingMessage, response: ServerResponse) => void;

/** Requests held until the app is attached; more are refused at once (the build takes well under a second). */
export const MAX_HELD = 64;

export class HeldListener {
  readonly server: Server;
  private handler: Handler | undefined;
  private held: [IncomingMessage, ServerResponse][] = [];
  private refusing: string | undefined;
  private onWaiting: (() => void) | undefined;

  constructor() {
    this.server = createServer((request, response) => this.receive(request, response));
    // What fastify sets on a server it creates itself (it does not on one handed to it).
    this.server.requestTimeout = 30_000;
    this.server.keepAliveTimeout = 72_000;
    this.server.setTimeout(60_000);
  }

  /** Called (once, on a later tick) when a request is held: someone wants the app before the daemon serves. */
  whenWaiting(callback: () => void): void {
    if (this.held.length > 0) setImmediate(callback);
    else this.onWaiting = callback;
  }

  /** From now on every request goes to `handler`, the held ones first, in arrival order. */
  attach(handler: Handler): void {
    this.handler = handler;
    for (const [request, response] of this.held.splice(0)) handler(request, response);
  }

  /** No app will come (its build failed): held and later requests get a 503 saying why. */
  refuse(reason: string): void {
    this.refusing = reason;
    for (const [, response] of this.held.splice(0)) unavailable(response, reason);
  }

  /** Stops accepting and ends idle keep-alive connections; resolves when open requests are done. */
  close(): Promise<void> {
    this.refuse('the daemon is stopping');
    return new Promise((resolve) => {
      this.server.close(() => resolve());
      this.server.closeIdleConnections();
    });
  }

  private receive(request: IncomingMessage, response: ServerResponse): void {
    if (this.handler !== undefined) this.handler(request, response);
    else if (this.refusing !== undefined) unavailable(response, this.refusing);
    else if (this.held.length >= MAX_HELD) unavailable(response, 'the control API is starting');
    else {
      this.held.push([request, response]);
      const waiting = this.onWaiting;
      this.onWaiting = undefined;
      if (waiting !== undefined) setImmediate(waiting);
    }
  }
}

function unavailable(response: ServerResponse, reason: string): void {
  const body = JSON.stringify(errorBody(new DhcpdError('DHCPD_ERR_CONTROL_UNAVAILABLE', `control API unavailable: ${reason}`)));
  response.writeHead(503, { 'content-type': 'application/json', 'retry-after': '1' }).end(body);
}
