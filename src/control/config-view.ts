// The running config as JSON an operator can read: addresses as dotted quads, options decoded by name, no tokens.
import { decodeOptionValue, findOptionDef, intToIp, type DhcpOption } from '../codec/index.js';
import type { AddressRange, ServerConfig, Subnet } from '../config/types.js';

const range = (r: AddressRange) => ({ start: intToIp(r.start), end: intToIp(r.end) });

function optionView(option: DhcpOption): { code: number; name?: string; value: unknown } {
  const def = findOptionDef(option.code);
  const decoded = def === undefined ? undefined : decodeOptionValue(def, option.data);
  const value = decoded?.ok === true ? decoded.value : option.data.toString('hex');
  return { code: option.code, ...(def === undefined ? {} : { name: def.name }), value };
}

function subnetView(subnet: Subnet) {
  return {
    ...subnet,
    network: intToIp(subnet.network),
    mask: intToIp(subnet.mask),
    broadcast: intToIp(subnet.broadcast),
    pools: subnet.pools.map(range),
    reservations: subnet.reservations.map((r) => ({ ...r, address: intToIp(r.address) })),
    options: subnet.options.map(optionView),
  };
}

/** Tokens are secrets: the view says whether one is set, never what it is. */
function controlView(control: ServerConfig['control']) {
  const { tcp } = control;
  if (tcp === undefined) return control;
  const { readToken, adminToken, ...rest } = tcp;
  return { ...control, tcp: { ...rest, readToken: readToken === undefined ? undefined : '(set)', adminToken: adminToken === undefined ? undefined : '(set)' } };
}

export function configView(config: ServerConfig): unknown {
  return { ...config, subnets: config.subnets.map(subnetView), control: controlView(config.control) };
}
