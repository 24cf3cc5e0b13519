// The /v1 endpoints, one module per resource.
import type { FastifyPluginAsync } from 'fastify';
import type { ControlApi } from '../api.js';
import { statusRoutes } from './status.js';

export function v1Routes(api: ControlApi): FastifyPluginAsync {
  return async (app) => {
    await app.register(statusRoutes(api));
  };
}
