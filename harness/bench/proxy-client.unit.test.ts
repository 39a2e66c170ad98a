// The proxy bench's client program, run as the bench runs it (its compiled text given to `node -e`), here against two
// local echoes instead of an echo container and its proxy: what it prints is what the bench reads.

import { expect } from 'chai';
import { execa } from 'execa';
import { createServer, type AddressInfo, type Server } from 'node:net';
import type { ProxyClientEnv, ProxyClientOutput } from './proxy-client.js';
import { proxyClientProgram } from './proxy-overhead.js';

async function echoServer(): Promise<Server> {
  const server = createServer((socket) => {
    // The client exits with its connections open: they end in a reset.
    socket.on('error', () => undefined);
    socket.pipe(socket);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return server;
}

const addressOf = (server: Server) => `127.0.0.1:${(server.address() as AddressInfo).port}`;

describe('the proxy bench client', () => {
  const servers: Server[] = [];
  after(() => servers.forEach((s) => s.close()));

  it('measures each path in blocks of round trips and in transfers, and prints them as one JSON line', async () => {
    const [direct, proxied] = [await echoServer(), await echoServer()];
    servers.push(direct, proxied);
    const env: ProxyClientEnv = {
      BENCH_DIRECT: addressOf(direct),
      BENCH_PROXIED: addressOf(proxied),
      BENCH_BLOCKS: '3',
      BENCH_PER_BLOCK: '4',
      BENCH_TRANSFERS: '2',
      BENCH_BYTES: '200000',
    };
    const { stdout } = await execa(process.execPath, ['--input-type=module', '-e', proxyClientProgram()], { env, timeout: 20_000 });
    const lines = stdout.trim().split('\n');
    expect(lines).to.have.length(1);
    const out = JSON.parse(lines[0]!) as ProxyClientOutput;
    for (const path of ['direct', 'proxied'] as const) {
      expect(out.rtt[path].map((block) => block.length)).to.deep.equal([4, 4, 4]);
      expect(out.rtt[path].flat().every((ms) => ms > 0)).to.equal(true);
      expect(out.mbps[path]).to.have.length(2);
      expect(out.mbps[path].every((mbps) => mbps > 0)).to.equal(true);
    }
  });

  it('exits 1 naming a setting that is missing', async () => {
    const result = await execa(process.execPath, ['--input-type=module', '-e', proxyClientProgram()], {
      env: { BENCH_DIRECT: '127.0.0.1:1' },
      extendEnv: false,
      reject: false,
      timeout: 20_000,
    });
    expect(result.exitCode).to.equal(1);
    expect(result.stderr).to.contain('BENCH_PROXIED is not set');
  });
});
