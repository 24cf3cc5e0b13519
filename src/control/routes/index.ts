// The /v1 endpoints, one module per resource.
import type { FastifyPluginAsync } from 'fastify';
import type { Logger } from '../../log.js';
import type { ControlApi } from '../api.js';
import { configRoutes } from './config.js';
import { leaseRoutes } from './leases.js';
import { securityRoutes } from './security.js';
import { statusRoutes } from './status.js';

export function v1Routes(api: ControlApi, log: Logger): FastifyPluginAsync {
  return async (app) => {
    await app.register(statusRoutes(api));
    await app.register(leaseRoutes(api));
    await app.register(configRoutes(api, log));
    await app.register(securityRoutes(api));
  };
}
