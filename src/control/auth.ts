// Bearer tokens on the TCP listener: the read token may only read (GET/HEAD), the admin token may do anything.
// The UNIX socket needs none: its file mode (0660) and directory are the access control.
import { createHash, timingSafeEqual } from 'node:crypto';
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { ControlTcpConfig } from '../config/types.js';
import { DhcpdError } from '../errors.js';
import { sendError } from './http-errors.js';

type Role = 'read' | 'admin';

const digest = (text: string): Buffer => createHash('sha256').update(text).digest();

/** Compares digests of equal length in constant time, so response timing says nothing about the token. */
function matches(given: Buffer, expected: string | undefined): boolean {
  return expected !== undefined && timingSafeEqual(given, digest(expected));
}

function roleOf(header: string | undefined, tokens: ControlTcpConfig): Role | undefined {
  const match = /^Bearer\s+(\S+)\s*$/i.exec(header ?? '');
  if (match === null) return undefined;
  const given = digest(match[1] as string);
  if (matches(given, tokens.adminToken)) return 'admin';
  if (matches(given, tokens.readToken)) return 'read';
  return undefined;
}

const READS = new Set(['GET', 'HEAD']);

/** An onRequest hook for the TCP listener: 401 without a valid token, 403 for a write with the read token. */
export function bearerAuth(tokens: ControlTcpConfig) {
  return async (request: FastifyRequest, reply: FastifyReply): Promise<void> => {
    const role = roleOf(request.headers.authorization, tokens);
    if (role === undefined) {
      reply.header('www-authenticate', 'Bearer realm="actor-dhcpd"');
      await sendError(reply, new DhcpdError('DHCPD_ERR_CONTROL_UNAUTHORIZED', 'a valid bearer token is required'));
      return;
    }
    if (role === 'read' && !READS.has(request.method)) {
      await sendError(reply, new DhcpdError('DHCPD_ERR_CONTROL_FORBIDDEN', `${request.method} needs the admin token`));
    }
  };
}
