// The one root logger: pino JSON lines, a stable `evt` on every info-and-above line, errors under `err`.
import { pino, type Logger } from 'pino';

export type { Logger };

export function createLogger(level: string, destination: NodeJS.WritableStream | number = 1): Logger {
  const stream = typeof destination === 'number' ? pino.destination({ dest: destination, sync: false }) : destination;
  return pino({ level, base: { name: 'actor-dhcpd' }, serializers: { err: pino.stdSerializers.err } }, stream);
}
