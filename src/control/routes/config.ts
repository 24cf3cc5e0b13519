// GET /v1/config (the running config), POST /v1/config/test (validate a posted config, apply nothing),
// POST /v1/reload (the reload flow, as SIGHUP).
import type { FastifyPluginAsync } from 'fastify';
import type { ReloadTrigger } from '../../config/reload-report.js';
import { DhcpdError } from '../../errors.js';
import type { Logger } from '../../log.js';
import type { ControlApi } from '../api.js';
import { emptyBodyIsObject, requester } from './leases.js';

const object = { type: 'object', additionalProperties: true } as const;

export function configRoutes(api: ControlApi, log: Logger): FastifyPluginAsync {
  return async (app) => {
    app.get('/config', {
      schema: { summary: 'The config in force (addresses as dotted quads, tokens hidden).', tags: ['config'], response: { 200: object } },
    }, async () => api.runningConfig());

    // The posted file is checked as text, as `check-config` does: syntax errors keep their line and column.
    await app.register(async (scope) => {
      scope.addContentTypeParser('application/json', { parseAs: 'string' }, (_request, body, done) => done(null, body));
      scope.post<{ Body: string }>('/config/test', {
        schema: {
          summary: 'Validates a config file (the JSON body); nothing is applied. 422 lists each error with its JSON path.',
          tags: ['config'],
          response: { 200: { type: 'object', properties: { valid: { type: 'boolean' } } } },
        },
      }, async (request) => {
        const result = api.testConfig(request.body);
        if (result.ok) return { valid: true };
        const syntax = result.errors.length === 1 && result.errors[0]?.path === '$' && result.errors[0].message.startsWith('invalid JSON');
        const count = result.errors.length;
        throw new DhcpdError(syntax ? 'DHCPD_ERR_CONFIG_SYNTAX' : 'DHCPD_ERR_CONFIG_INVALID',
          `the config is not valid (${count} problem${count === 1 ? '' : 's'})`, { details: { issues: result.errors } });
      });
    });

    app.post<{ Body: { trigger?: ReloadTrigger } }>('/reload', {
      preValidation: emptyBodyIsObject,
      schema: {
        summary: 'Reloads the config file as SIGHUP does; 422 when the new config is refused (the old one keeps serving).',
        tags: ['config'],
        body: { type: 'object', properties: { trigger: { type: 'string', enum: ['api', 'cli'] } }, additionalProperties: false },
        response: { 200: object, 422: object },
      },
    }, async (request, reply) => {
      const trigger = request.body.trigger ?? 'api';
      const report = await api.reload(trigger);
      log.info({ evt: 'control.reload', by: requester(request), trigger, result: report.result }, 'reload asked through the control API');
      if (report.result !== 'failed') return report;
      const error = { code: 'DHCPD_ERR_CONFIG_INVALID', message: 'reload refused: the running config is unchanged' };
      return reply.code(422).send({ ...report, error });
    });
  };
}
