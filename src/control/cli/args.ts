// Argument parsing of the client commands (leases, lease, release, stats, health, reload).
import { DEFAULT_CONTROL_SOCKET } from '../../config/control.js';

export const CLIENT_COMMANDS = ['leases', 'lease', 'release', 'stats', 'health', 'reload'] as const;
export type ClientCommand = (typeof CLIENT_COMMANDS)[number];

export interface ClientArgs {
  readonly command: ClientCommand;
  readonly socket: string;
  readonly json: boolean;
  /** The address of `lease IP` / `release IP`. */
  readonly ip?: string;
  /** Query of `leases`: mac, clientId, ip, subnet, state. */
  readonly filter: Readonly<Record<string, string>>;
}

export type Parsed = { ok: true; args: ClientArgs } | { ok: false; message: string };

const FILTERS: Readonly<Record<string, string>> = { '--mac': 'mac', '--client-id': 'clientId', '--ip': 'ip', '--subnet': 'subnet', '--state': 'state' };

export function isClientCommand(word: string | undefined): word is ClientCommand {
  return (CLIENT_COMMANDS as readonly string[]).includes(word ?? '');
}

export function parseClientArgs(argv: readonly string[]): Parsed {
  const [command, ...rest] = argv;
  if (!isClientCommand(command)) return { ok: false, message: `unknown command ${command ?? ''}` };
  let socket = DEFAULT_CONTROL_SOCKET;
  let json = false;
  const filter: Record<string, string> = {};
  const positional: string[] = [];
  for (let i = 0; i < rest.length; i++) {
    const word = rest[i] as string;
    const value = rest[i + 1];
    if (word === '--json') json = true;
    else if (word === '--socket' || (command === 'leases' && word in FILTERS)) {
      if (value === undefined || value.startsWith('--')) return { ok: false, message: `${word} needs a value` };
      if (word === '--socket') socket = value;
      else filter[FILTERS[word] as string] = value;
      i++;
    } else if (word.startsWith('--')) return { ok: false, message: `unknown option ${word} for ${command}` };
    else positional.push(word);
  }
  const needsIp = command === 'lease' || command === 'release';
  if (needsIp && positional.length !== 1) return { ok: false, message: `${command} needs one address: actor-dhcpd ${command} IP` };
  if (!needsIp && positional.length > 0) return { ok: false, message: `unexpected argument ${positional[0]}` };
  return { ok: true, args: { command, socket, json, filter, ...(needsIp ? { ip: positional[0] } : {}) } };
}
