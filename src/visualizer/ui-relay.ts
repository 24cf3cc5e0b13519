// `actor-dhcpd ui`: opens the /ui page of a daemon whose control API listens only on its UNIX socket (a browser
// cannot reach a socket). A loopback HTTP listener relays GET requests under /ui to the socket, streaming (the
// live events too); nothing else of the control API passes, so the socket's file permissions still guard writes.
import { createServer, request, type Server } from 'node:http';

export interface UiRelay {
  readonly url: string;
  close(): Promise<void>;
}

export async function startUiRelay(socketPath: string, host = '127.0.0.1', port = 8067): Promise<UiRelay> {
  const server: Server = createServer((req, res) => {
    const path = req.url ?? '/';
    if (req.method !== 'GET' || !(path === '/ui' || path.startsWith('/ui/') || path.startsWith('/ui?'))) {
      res.writeHead(404, { 'content-type': 'text/plain' }).end('only GET /ui is relayed\n');
      return;
    }
    const upstream = request({ socketPath, path, method: 'GET', headers: { accept: req.headers.accept ?? '*/*' } }, (answer) => {
      res.writeHead(answer.statusCode ?? 502, answer.headers);
      answer.pipe(res);
    });
    upstream.on('error', (error) => {
      if (!res.headersSent) res.writeHead(502, { 'content-type': 'text/plain' });
      res.end(`control socket ${socketPath}: ${error.message}\n`);
    });
    res.on('close', () => upstream.destroy());
    upstream.end();
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => resolve());
  });
  const bound = server.address() as { port: number };
  return {
    url: `http://${host}:${bound.port}/ui`,
    close: () => new Promise((resolve) => {
      server.closeAllConnections();
      server.close(() => resolve());
    }),
  };
}
