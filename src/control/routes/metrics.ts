// GET /metrics: the Prometheus text exposition (scrape it over the socket or the TCP listener with the read token).
import type { FastifyPluginAsync } from 'fastify';
import { DhcpdError } from '../../errors.js';
import type { ControlApi } from '../api.js';

export function metricsRoute(api: ControlApi): FastifyPluginAsync {
  return async (app) => {
    app.get('/metrics', {
      schema: { summary: 'Prometheus metrics (text format 0.0.4).', tags: ['metrics'], produces: ['text/plain'] },
    }, async (_request, reply) => {
      if (api.metrics === undefined) throw new DhcpdError('DHCPD_ERR_CONTROL_UNAVAILABLE', 'this build exposes no metrics');
      const { contentType, body } = await api.metrics();
      return reply.type(contentType).send(body);
    });
  };
}
