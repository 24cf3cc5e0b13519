// One fastify instance of the control API: error model, OpenAPI document, the /v1 routes, /metrics and the
// plugins other parts register (the /ui page). The socket and the TCP listener each get their own instance.
import swagger from '@fastify/swagger';
import { fastify, LogController, type FastifyBaseLogger, type FastifyInstance, type FastifyPluginAsync } from 'fastify';
import type { ControlConfig, ControlTcpConfig } from '../config/types.js';
import type { Logger } from '../log.js';
import type { ControlApi } from './api.js';
import { bearerAuth } from './auth.js';
import type { HeldListener } from './held-listener.js';
import { errorHandler, notFoundHandler } from './http-errors.js';
import { v1Routes } from './routes/index.js';
import { metricsRoute } from './routes/metrics.js';

export interface BuildOptions {
  readonly config: ControlConfig;
  readonly api: ControlApi;
  readonly log: Logger;
  readonly version: string;
  /** Set on the TCP listener only. */
  readonly tokens?: ControlTcpConfig;
  readonly plugins?: readonly FastifyPluginAsync[];
  /** The bound listener the app answers on (its server settings are fastify's usual ones). */
  readonly held: HeldListener;
}

function atLeastWarn(log: Logger): string {
  return (log.levels.values[log.level] ?? Infinity) >= log.levels.values['warn']! ? log.level : 'warn';
}

export async function buildControlApp(options: BuildOptions): Promise<FastifyInstance> {
  const { log } = options;
  let receive: Parameters<HeldListener['attach']>[0] | undefined;
  const app = fastify({
    // Fastify's own lines ("Server listening at", one per request) carry no `evt`: only its warnings pass; the
    // API logs what it does itself (control.listening, lease.released, control.reload…).
    loggerInstance: log.child({}, { level: atLeastWarn(log) }) as FastifyBaseLogger,
    logController: new LogController({ disableRequestLogging: true }),
    bodyLimit: options.config.bodyLimitBytes,
    // The server is the listener bound before the daemon started (it sets the request and connection timeouts).
    serverFactory: (handler) => {
      receive = handler;
      return options.held.server;
    },
    ajv: { customOptions: { removeAdditional: false, coerceTypes: true, allErrors: true } },
  });
  app.setErrorHandler(errorHandler(log));
  app.setNotFoundHandler(notFoundHandler);
  if (options.tokens !== undefined) app.addHook('onRequest', bearerAuth(options.tokens));
  await app.register(swagger, {
    openapi: {
      info: { title: 'actor-dhcpd control API', version: options.version },
      components: { securitySchemes: { bearer: { type: 'http', scheme: 'bearer' } } },
      security: options.tokens !== undefined ? [{ bearer: [] }] : [],
    },
  });
  await app.register(v1Routes(options.api, log), { prefix: '/v1' });
  await app.register(metricsRoute(options.api));
  app.get('/v1/openapi.json', { schema: { hide: true } }, async () => app.swagger());
  for (const plugin of options.plugins ?? []) await app.register(plugin);
  await app.ready();
  // Requests reach the app only once it is ready (those held meanwhile first).
  if (receive !== undefined) options.held.attach(receive);
  return app;
}
