// GET /v1/security/events: the most recent security rejections (newest last), when the build has security stages.
import type { FastifyPluginAsync } from 'fastify';
import { DhcpdError } from '../../errors.js';
import type { ControlApi } from '../api.js';

export function securityRoutes(api: ControlApi): FastifyPluginAsync {
  return async (app) => {
    app.get<{ Querystring: { limit: number } }>('/security/events', {
      schema: {
        summary: 'Recent security events (stage, reason, client, interface, relay), newest last.',
        tags: ['security'],
        querystring: {
          type: 'object',
          properties: { limit: { type: 'integer', minimum: 1, maximum: 10_000, default: 100 } },
          additionalProperties: false,
        },
        response: { 200: { type: 'object', properties: { events: { type: 'array', items: { type: 'object', additionalProperties: true } } } } },
      },
    }, async (request) => {
      if (api.securityEvents === undefined) throw new DhcpdError('DHCPD_ERR_CONTROL_UNAVAILABLE', 'this build keeps no security events');
      return { events: api.securityEvents(request.query.limit) };
    });
  };
}
