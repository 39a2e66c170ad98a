// A TCP echo on every port in its configuration, and a minimal control port (GET /healthz, GET /status):
// the simplest thing to put behind a proxy when what is tested is the proxy and the fault, not the site.

import { createServer as createHttpServer } from 'node:http';
import { createServer } from 'node:net';
import { CONFIG_ENV, PORTS, type StandinConfig } from '../protocol/index.js';

const raw = process.env[CONFIG_ENV];
let config: StandinConfig;
try {
  config = JSON.parse(raw ?? '') as StandinConfig;
  if (!Array.isArray(config.listens)) throw new Error('"listens" must be a list of ports');
} catch (error) {
  process.stderr.write(`echo: invalid ${CONFIG_ENV} (${(error as Error).message}); got: ${String(raw).slice(0, 200)}\n`);
  process.exit(2);
}

let connections = 0;

function listen(server: ReturnType<typeof createServer> | ReturnType<typeof createHttpServer>, port: number): Promise<void> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, () => resolve());
  });
}

// Every echo port first, the control port last: /healthz answering means every port takes connections.
for (const port of config.listens) {
  const echo = createServer((socket) => {
    connections += 1;
    socket.on('error', () => socket.destroy());
    socket.pipe(socket);
  });
  await listen(echo, port);
  process.stdout.write(`echo: ${config.node} listening on ${port}\n`);
}

const control = createHttpServer((request, response) => {
  const body =
    request.url === '/healthz' ? { ok: true } : request.url === '/status' ? { node: config.node, kind: 'echo', connections } : null;
  response.writeHead(body ? 200 : 404, { 'content-type': 'application/json' });
  response.end(JSON.stringify(body ?? { error: `unknown path ${request.url}` }));
});
await listen(control, PORTS.control);

process.on('SIGTERM', () => process.exit(0));
