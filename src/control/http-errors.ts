// Every control API error is JSON `{ error: { code, message, details? } }` with a registry code (docs/errors.md),
// whether a route threw it, fastify refused the request (schema, body size, JSON syntax) or no route matched.
import type { FastifyError, FastifyReply, FastifyRequest } from 'fastify';
import { classify, DhcpdError, type ErrorCode } from '../errors.js';
import type { Logger } from '../log.js';

export interface ErrorBody {
  readonly error: { readonly code: ErrorCode; readonly message: string; readonly details?: Readonly<Record<string, unknown>> };
}

const STATUS_BY_CODE: Partial<Record<ErrorCode, number>> = {
  DHCPD_ERR_CONTROL_BAD_REQUEST: 400,
  DHCPD_ERR_CONTROL_UNAUTHORIZED: 401,
  DHCPD_ERR_CONTROL_FORBIDDEN: 403,
  DHCPD_ERR_CONTROL_NOT_FOUND: 404,
  DHCPD_ERR_LEASE_NOT_FOUND: 404,
  DHCPD_ERR_LEASE_NOT_HELD: 409,
  DHCPD_ERR_CONTROL_BODY_TOO_LARGE: 413,
  DHCPD_ERR_CONFIG_SYNTAX: 422,
  DHCPD_ERR_CONFIG_INVALID: 422,
  DHCPD_ERR_CONTROL_UNAVAILABLE: 503,
  DHCPD_ERR_STORE_UNAVAILABLE: 503,
  DHCPD_ERR_STORE_WRITE: 503,
};

/** Fastify's own refusals of a request, by its error code. */
const FASTIFY_CODES: Readonly<Record<string, ErrorCode>> = {
  FST_ERR_CTP_BODY_TOO_LARGE: 'DHCPD_ERR_CONTROL_BODY_TOO_LARGE',
  FST_ERR_CTP_INVALID_JSON_BODY: 'DHCPD_ERR_CONTROL_BAD_REQUEST',
  FST_ERR_CTP_EMPTY_JSON_BODY: 'DHCPD_ERR_CONTROL_BAD_REQUEST',
  FST_ERR_CTP_INVALID_MEDIA_TYPE: 'DHCPD_ERR_CONTROL_BAD_REQUEST',
  FST_ERR_CTP_INVALID_CONTENT_LENGTH: 'DHCPD_ERR_CONTROL_BAD_REQUEST',
  FST_ERR_VALIDATION: 'DHCPD_ERR_CONTROL_BAD_REQUEST',
};

export function statusOf(code: ErrorCode): number {
  return STATUS_BY_CODE[code] ?? 500;
}

export function errorBody(error: DhcpdError): ErrorBody {
  const details = Object.keys(error.details).length > 0 ? { details: error.details } : {};
  return { error: { code: error.code, message: error.message, ...details } };
}

/** A schema failure names each field by its JSON path, like config errors do. */
function fromFastify(error: FastifyError): DhcpdError | undefined {
  if (error.validation !== undefined) {
    const where = error.validationContext ?? 'request';
    const fields = error.validation.map((v) => ({ path: `${where}${v.instancePath}`, message: v.message ?? 'invalid' }));
    return new DhcpdError('DHCPD_ERR_CONTROL_BAD_REQUEST', error.message, { details: { fields } });
  }
  const code = error.code === undefined ? undefined : FASTIFY_CODES[error.code];
  return code === undefined ? undefined : new DhcpdError(code, error.message);
}

/** `status` overrides the code's usual one (fastify knows 415 from 400 for the same registry code). */
export function sendError(reply: FastifyReply, error: DhcpdError, status = statusOf(error.code)): FastifyReply {
  return reply.code(status).type('application/json').send(errorBody(error));
}

export function errorHandler(log: Logger) {
  return (error: FastifyError, request: FastifyRequest, reply: FastifyReply): FastifyReply => {
    if (error instanceof DhcpdError) return sendError(reply, error);
    const mapped = fromFastify(error);
    const status = error.statusCode !== undefined && error.statusCode >= 400 && error.statusCode < 500 ? error.statusCode : undefined;
    if (mapped !== undefined) return sendError(reply, mapped, status);
    // Not a request problem: a bug or a failing dependency, logged with its stack once per request.
    const err = classify(error);
    log.error({ evt: 'control.failed', err, method: request.method, url: request.url }, 'control request failed');
    return sendError(reply, err);
  };
}

export function notFoundHandler(request: FastifyRequest, reply: FastifyReply): FastifyReply {
  return sendError(reply, new DhcpdError('DHCPD_ERR_CONTROL_NOT_FOUND', `no endpoint ${request.method} ${request.url.split('?')[0]}`));
}
