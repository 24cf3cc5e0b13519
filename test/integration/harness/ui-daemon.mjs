// The daemon as cli.ts runs it (config file, LevelDB store, real transport), plus the /ui plugin on a fastify
// listener on a UNIX socket: what the browser tests open until the control listener (src/control/) serves /ui.
// Usage (in the server namespace): node ui-daemon.mjs CONFIG SOCKET
import Fastify from 'fastify';
import { startApp } from '../../../dist/src/app.js';
import { loadConfigFile } from '../../../dist/src/config/index.js';
import { createLogger } from '../../../dist/src/log.js';
import { openTransport } from '../../../dist/src/net/select-transport.js';
import { createStore } from '../../../dist/src/store/factory.js';
import { uiDepsOf, uiPlugin } from '../../../dist/src/visualizer/ui-plugin.js';

const [configFile, socket] = process.argv.slice(2);
const config = await loadConfigFile(configFile);
const log = createLogger(config.logging.level);
const app = startApp({
  config, log, store: createStore(config, log),
  openTransport: () => openTransport({
    port: config.listen.port, address: config.listen.address, interfaces: config.interfaces, logger: log,
    prefer: config.listen.transport, native: { unlistedUnicast: config.listen.unlistedUnicast },
  }),
});
const web = Fastify();
await web.register(uiPlugin(uiDepsOf(app)));
await web.listen({ path: socket });
log.info({ evt: 'ui.listening', socket }, 'ui listening');
process.once('SIGTERM', () => void web.close().then(() => app.stop()));
process.exitCode = await app.done;
