// The /ui page as a fastify plugin, for the daemon's control listener: one HTML page with its script and style
// (no CDN: everything is served from here), the three statecharts laid out by elkjs on the server, a JSON
// snapshot, live updates over server-sent events, lease search with history, and the history API the
// `actor-dhcpd history` command reads over the control socket.
import type { FastifyPluginAsync } from 'fastify';
import { parseQuery, searchHistory, type LeaseQuery } from './lease-search.js';
import { PAGE_HTML } from './page/html.js';
import { PAGE_SCRIPT } from './page/script.js';
import { PAGE_STYLE } from './page/style.js';
import { LayoutStopped, stopLayouts } from './elk-worker.js';
import { toSvg } from './render-svg.js';
import { MACHINE_NAMES, statechartOf } from './statechart.js';
import type { UiDeps } from './ui-deps.js';
import { searchLeases, snapshotOf } from './ui-snapshot.js';
import { UiStreams } from './ui-stream.js';

export type { UiDeps } from './ui-deps.js';
export { uiDepsOf } from './ui-deps.js';

const MAX_QUERY = 256;

/**
 * The charts depend only on the machine definitions: drawn once per process, shared by every listener, from the
 * layouts computed ahead (statechart-layouts.ts; ELK in a worker only for a machine changed since).
 */
let charts: Promise<Record<string, string>> | undefined;
function chartsOnce(): Promise<Record<string, string>> {
  charts ??= Promise.all(MACHINE_NAMES.map(async (name) => [name, await toSvg(statechartOf(name))] as const)).then(Object.fromEntries);
  // A failed layout is tried again on the next request rather than remembered.
  charts.catch(() => (charts = undefined));
  return charts;
}

/** Where a failed layout is told: the listener's log or the daemon's. */
interface WarnLog {
  warn(fields: object, message: string): void;
}

function layOut(log: WarnLog): void {
  chartsOnce().catch((err: unknown) => {
    if (!(err instanceof LayoutStopped)) log.warn({ evt: 'ui.charts.failed', err }, 'statechart layout failed');
  });
}

export function uiPlugin(deps: UiDeps): FastifyPluginAsync {
  return async (fastify) => {
    const streams = new UiStreams(deps);
    fastify.addHook('onClose', async () => {
      streams.closeAll();
      // A layout still running must not hold the process's exit (a stop right after the start waited for it).
      stopLayouts();
    });

    fastify.get('/ui', async (_request, reply) => {
      // The page asks for the charts next: start drawing them now.
      layOut(fastify.log);
      return reply.type('text/html; charset=utf-8').header('cache-control', 'no-store').send(PAGE_HTML);
    });
    fastify.get('/ui/app.js', async (_request, reply) => reply.type('text/javascript; charset=utf-8').send(PAGE_SCRIPT));
    fastify.get('/ui/app.css', async (_request, reply) => reply.type('text/css; charset=utf-8').send(PAGE_STYLE));
    fastify.get('/ui/api/charts', async () => chartsOnce());
    fastify.get('/ui/api/snapshot', async () => snapshotOf(deps));

    fastify.get('/ui/api/events', async (request, reply) => {
      reply.hijack();
      if (!streams.open(reply.raw)) {
        reply.raw.writeHead(503, { 'content-type': 'text/plain', 'retry-after': '5' });
        reply.raw.end('too many live views open\n');
      }
      request.log.debug({ evt: 'ui.stream.opened', streams: streams.size });
    });

    fastify.get<{ Querystring: { q?: string } }>('/ui/api/search', async (request, reply) => {
      const q = request.query.q?.trim() ?? '';
      if (q === '' || q.length > MAX_QUERY) return reply.code(400).send({ error: 'expected ?q= a MAC, client id, IP or host name' });
      return { query: parseQuery(q), leases: await searchLeases(deps, q) };
    });

    fastify.get<{ Querystring: Record<string, string | undefined> }>('/ui/api/history', async (request, reply) => {
      const query = historyQuery(request.query);
      if (query === undefined) return reply.code(400).send({ error: 'expected exactly one of mac, ip, clientId, hostname' });
      return { leases: await searchHistory(deps.leases(), deps.history, query) };
    });
  };
}

function historyQuery(params: Record<string, string | undefined>): LeaseQuery | undefined {
  const given = (['mac', 'ip', 'clientId', 'hostname'] as const).filter((k) => typeof params[k] === 'string' && params[k] !== '');
  if (given.length !== 1) return undefined;
  const key = given[0]!;
  const value = params[key]!;
  if (value.length > MAX_QUERY) return undefined;
  return { [key]: value } as unknown as LeaseQuery;
}
