// GET /v1/leases (filters, cursor pages), GET /v1/leases/:ip (with recent history), POST /v1/leases/:ip/release.
import type { FastifyPluginAsync, FastifyRequest } from 'fastify';
import { DhcpdError } from '../../errors.js';
import type { ControlApi } from '../api.js';
import { LEASE_STATES } from '../../leases/states.js';
import { leaseView, queryLeases, type LeaseFilter } from '../lease-query.js';

const MAX_PAGE = 1000;
const HISTORY = 50;
const lease = { type: 'object', additionalProperties: true } as const;
const ipParam = {
  type: 'object',
  required: ['ip'],
  properties: { ip: { type: 'string', format: 'ipv4' } },
  additionalProperties: false,
} as const;

const listQuery = {
  type: 'object',
  properties: {
    mac: { type: 'string', maxLength: 64, description: 'Client MAC (chaddr), e.g. 02:00:5e:10:00:01' },
    clientId: { type: 'string', maxLength: 600, description: 'Client identifier (option 61) in hex, type byte first' },
    ip: { type: 'string', format: 'ipv4' },
    subnet: { type: 'integer', minimum: 1, maximum: 0xffffffff, description: 'Subnet id' },
    state: { type: 'string', enum: [...LEASE_STATES] },
    limit: { type: 'integer', minimum: 1, maximum: MAX_PAGE, default: 100 },
    cursor: { type: 'string', maxLength: 64, description: 'nextCursor of the previous page' },
  },
  additionalProperties: false,
} as const;

type ListQuery = LeaseFilter & { limit: number; cursor?: string };

/** A POST without a body (curl -X POST) is an empty object, validated like any other body. */
export async function emptyBodyIsObject(request: FastifyRequest): Promise<void> {
  if (request.body === undefined || request.body === null) request.body = {};
}

/** Who asked, for the log: the socket (its mode is the access control) or a TCP peer. */
export function requester(request: FastifyRequest): string {
  const peer = request.socket.remoteAddress;
  return peer === undefined ? 'control-socket' : `tcp:${peer}`;
}

export function leaseRoutes(api: ControlApi): FastifyPluginAsync {
  return async (app) => {
    app.get<{ Querystring: ListQuery }>('/leases', {
      schema: {
        summary: 'Leases in address order, filtered; follow nextCursor for the next page.',
        tags: ['leases'],
        querystring: listQuery,
        response: { 200: { type: 'object', properties: { leases: { type: 'array', items: lease }, nextCursor: { type: 'string' } } } },
      },
    }, async (request) => {
      const { limit, cursor, ...filter } = request.query;
      return queryLeases(api.leases, filter, limit, cursor);
    });

    app.get<{ Params: { ip: string } }>('/leases/:ip', {
      schema: {
        summary: 'The lease at an address and its recent transitions (when this build keeps them).',
        tags: ['leases'],
        params: ipParam,
        response: { 200: { type: 'object', properties: { lease, history: { type: 'array', items: lease } } } },
      },
    }, async (request) => {
      const { ip } = request.params;
      const record = api.leases.get(ip);
      if (record === undefined) throw new DhcpdError('DHCPD_ERR_LEASE_NOT_FOUND', `no lease at ${ip}`);
      const history = api.history === undefined ? undefined : await api.history(ip, HISTORY);
      return { lease: leaseView(record), ...(history === undefined ? {} : { history }) };
    });

    app.post<{ Params: { ip: string } }>('/leases/:ip/release', {
      preValidation: emptyBodyIsObject,
      schema: {
        summary: 'Releases a lease as a DHCPRELEASE would: stored before the answer, logged as lease.released.',
        tags: ['leases'],
        params: ipParam,
        body: { type: 'object', properties: {}, additionalProperties: false },
        response: { 200: { type: 'object', properties: { released: { type: 'boolean' }, lease } } },
      },
    }, async (request) => {
      const { ip } = request.params;
      const outcome = await api.release(ip, requester(request));
      if (outcome.released) return { released: true, lease: leaseView(outcome.lease) };
      if (outcome.reason === 'not-found') throw new DhcpdError('DHCPD_ERR_LEASE_NOT_FOUND', `no lease at ${ip}`);
      if (outcome.reason === 'store-unavailable') {
        throw new DhcpdError('DHCPD_ERR_STORE_UNAVAILABLE', `the release of ${ip} could not be stored; nothing changed`);
      }
      throw new DhcpdError('DHCPD_ERR_LEASE_NOT_HELD', `the lease at ${ip} is ${outcome.lease?.state ?? 'not held'}: nothing to release`);
    });
  };
}
