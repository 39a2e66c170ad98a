// The proxy bench's client program, run in a container of the stand-in base image: one kept connection per path, blocks
// of one-byte round trips taking turns between the paths, then bulk echoes; it prints one JSON line (ProxyClientOutput).
// It runs when loaded, and the bench sends its compiled text to `node -e`: it may import Node's own modules only.

import { connect, type Socket } from 'node:net';

/** What the bench tells the client, in its environment (a type, not an interface: it is an environment's record). */
export type ProxyClientEnv = {
  /** host:port of the echo, reached directly. */
  BENCH_DIRECT: string;
  /** host:port of the proxy in front of the same echo. */
  BENCH_PROXIED: string;
  /** Blocks of round trips per path, and round trips per block. */
  BENCH_BLOCKS: string;
  BENCH_PER_BLOCK: string;
  /** Bulk echoes per path, and the bytes each one sends. */
  BENCH_TRANSFERS: string;
  BENCH_BYTES: string;
};

/** What the client prints: per path, the round-trip ms of each block, and the MB/s of each transfer. */
export interface ProxyClientOutput {
  rtt: { direct: number[][]; proxied: number[][] };
  mbps: { direct: number[]; proxied: number[] };
}

type Path = keyof ProxyClientOutput['mbps'];
type Target = { host: string; port: number };

function given(name: keyof ProxyClientEnv): string {
  const value = process.env[name];
  if (value === undefined || value === '') throw new Error(`${name} is not set`);
  return value;
}

function target(address: string): Target {
  const [host = '', port] = address.split(':');
  return { host, port: Number(port) };
}

const now = (): bigint => process.hrtime.bigint();

function open(to: Target): Promise<Socket> {
  return new Promise((resolve, reject) => {
    const socket = connect(to, () => {
      socket.setNoDelay(true);
      resolve(socket);
    });
    socket.once('error', reject);
  });
}

/** The echo may still be binding its port when the client starts: its first connection is retried for a while. */
async function openSoon(to: Target, untilMs = Date.now() + 10_000): Promise<Socket> {
  for (;;) {
    try {
      return await open(to);
    } catch (error) {
      if (Date.now() > untilMs) throw error;
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
  }
}

/** `n` one-byte round trips over a kept connection, one after the other: the ms each took. */
function roundTrips(socket: Socket, n: number): Promise<number[]> {
  return new Promise((resolve) => {
    const out: number[] = [];
    let sent = now();
    const next = (): void => {
      if (out.length === n) {
        socket.removeListener('data', onData);
        resolve(out);
        return;
      }
      sent = now();
      socket.write('x');
    };
    const onData = (): void => {
      out.push(Number(now() - sent) / 1e6);
      next();
    };
    socket.on('data', onData);
    next();
  });
}

/** Echoes `bytes` over a new connection, written as fast as the socket takes them, until every byte came back: MB/s. */
async function transfer(to: Target, bytes: number): Promise<number> {
  const socket = await open(to);
  const chunk = Buffer.alloc(65_536, 7);
  let got = 0;
  const startNs = now();
  await new Promise<void>((resolve) => {
    socket.on('data', (data: Buffer) => {
      got += data.length;
      if (got >= bytes) resolve();
    });
    let sent = 0;
    const pump = (): void => {
      while (sent < bytes) {
        sent += chunk.length;
        if (!socket.write(chunk)) {
          socket.once('drain', pump);
          return;
        }
      }
    };
    pump();
  });
  const seconds = Number(now() - startNs) / 1e9;
  socket.destroy();
  return bytes / 1e6 / seconds;
}

/** The paths in turn, A B then B A, so a drift of the machine's load falls on both alike. */
const inTurn = (i: number): Path[] => (i % 2 === 0 ? ['direct', 'proxied'] : ['proxied', 'direct']);

try {
  const paths: Record<Path, Target> = { direct: target(given('BENCH_DIRECT')), proxied: target(given('BENCH_PROXIED')) };
  const blocks = Number(given('BENCH_BLOCKS'));
  const perBlock = Number(given('BENCH_PER_BLOCK'));
  const transfers = Number(given('BENCH_TRANSFERS'));
  const bytes = Number(given('BENCH_BYTES'));
  const sockets: Record<Path, Socket> = { direct: await openSoon(paths.direct), proxied: await openSoon(paths.proxied) };
  for (const path of inTurn(0)) await roundTrips(sockets[path], 50); // warm-up, not counted
  const out: ProxyClientOutput = { rtt: { direct: [], proxied: [] }, mbps: { direct: [], proxied: [] } };
  for (let block = 0; block < blocks; block++) {
    for (const path of inTurn(block)) out.rtt[path].push(await roundTrips(sockets[path], perBlock));
  }
  for (let round = 0; round < transfers; round++) {
    for (const path of inTurn(round)) out.mbps[path].push(await transfer(paths[path], bytes));
  }
  process.stdout.write(`${JSON.stringify(out)}\n`);
  process.exit(0);
} catch (error) {
  process.stderr.write(`${(error as Error).stack ?? String(error)}\n`);
  process.exit(1);
}
