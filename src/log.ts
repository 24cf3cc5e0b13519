// The one root logger: pino JSON lines, a stable `evt` on every info-and-above line, errors under `err`.
import { pino, type Logger } from 'pino';

export type { Logger };

/**
 * Most bytes of log lines held for a slow stdout (a stalled pipe or journald). Past it a line is dropped and
 * counted (`onDrop`), never buffered without bound: under a flood the log must not cost more memory than it saves.
 */
export const LOG_BUFFER_MAX_BYTES = 16 * 1024 * 1024;

export interface LoggerOptions {
  readonly maxBufferBytes?: number;
  /** A line did not fit the buffer and was dropped. */
  readonly onDrop?: (line: string) => void;
}

export function createLogger(level: string, destination: NodeJS.WritableStream | number = 1, options: LoggerOptions = {}): Logger {
  const stream = typeof destination === 'number' ? boundedDestination(destination, options) : destination;
  return pino({ level, base: { name: 'actor-dhcpd' }, serializers: { err: pino.stdSerializers.err } }, stream);
}

function boundedDestination(fd: number, options: LoggerOptions): ReturnType<typeof pino.destination> {
  const boom = pino.destination({ dest: fd, sync: false, maxLength: options.maxBufferBytes ?? LOG_BUFFER_MAX_BYTES });
  boom.on('drop', (line: string) => options.onDrop?.(line));
  return boom;
}
