// GET /v1/health (the supervisor tree, 503 unless serving) and GET /v1/stats (counters, pools, transport).
import type { FastifyPluginAsync } from 'fastify';
import type { ControlApi } from '../api.js';

const object = { type: 'object', additionalProperties: true } as const;

export function statusRoutes(api: ControlApi): FastifyPluginAsync {
  return async (app) => {
    app.get('/health', {
      schema: {
        summary: 'The supervisor tree and the store; HTTP 503 unless the daemon serves with a writable store.',
        tags: ['status'],
        response: { 200: object, 503: object },
      },
    }, async (_request, reply) => {
      const health = api.health();
      return reply.code(health.status === 'ok' ? 200 : 503).send(health);
    });
    app.get('/stats', {
      schema: { summary: 'Counters, pool utilization, lease count, transport counters.', tags: ['status'], response: { 200: object } },
    }, async () => api.statistics());
  };
}
