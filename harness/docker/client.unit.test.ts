// Unit tests of the engine client without an engine: a small HTTP server answers (or does not answer) the one call
// pingEngine makes, on TCP or a Unix socket, so the address parsing and the deadline are tested with dockerode itself.

import { expect } from 'chai';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { HarnessError } from '../core/errors.js';
import { FakeDocker } from '../testing/fake-docker.js';
import { scratchDir } from '../testing/scratch-dir.js';
import { connectDocker, engineAddress, pingEngine } from './client.js';

/** A stand-in for the engine's API: `answer` handles each request; every request seen is kept, with whether it was closed. */
async function fakeEngine(
  listenOn: number | string,
  answer: (request: IncomingMessage, response: ServerResponse) => void,
): Promise<{ server: Server; requests: Array<{ url: string; closed: boolean }>; port: number }> {
  const requests: Array<{ url: string; closed: boolean }> = [];
  const server = createServer((request, response) => {
    const seen = { url: request.url ?? '', closed: false };
    requests.push(seen);
    response.on('close', () => (seen.closed = true));
    answer(request, response);
  });
  await new Promise<void>((resolve) =>
    typeof listenOn === 'number' ? server.listen(listenOn, '127.0.0.1', resolve) : server.listen(listenOn, resolve),
  );
  const address = server.address();
  return { server, requests, port: typeof address === 'object' && address ? (address as AddressInfo).port : 0 };
}

const version = (_request: IncomingMessage, response: ServerResponse) => {
  response.writeHead(200, { 'content-type': 'application/json' });
  response.end(JSON.stringify({ Version: '99.1.0-test', ApiVersion: '1.47' }));
};

describe('connectDocker', () => {
  let server: Server | undefined;
  afterEach(() => {
    server?.closeAllConnections();
    server?.close();
    server = undefined;
  });

  it('reaches the engine at a tcp:// address it is given, and leaves DOCKER_HOST as it was', async () => {
    const before = process.env['DOCKER_HOST'];
    const engine = await fakeEngine(0, version);
    server = engine.server;
    const client = connectDocker(`tcp://127.0.0.1:${engine.port}`);
    expect(process.env['DOCKER_HOST']).to.equal(before);
    expect(await pingEngine(client)).to.equal('99.1.0-test');
    expect(engine.requests.map((r) => r.url)).to.deep.equal(['/version']);
    expect(engineAddress(client)).to.equal(`tcp://127.0.0.1:${engine.port}`);
  });

  it('reaches the engine at a unix:// socket it is given', async () => {
    const socket = join(scratchDir('client'), 'engine.sock');
    const engine = await fakeEngine(socket, version);
    server = engine.server;
    expect(await pingEngine(connectDocker(`unix://${socket}`))).to.equal('99.1.0-test');
  });

  it('says where it reaches the engine: the address given, else DOCKER_HOST, else the local socket', () => {
    const before = process.env['DOCKER_HOST'];
    try {
      delete process.env['DOCKER_HOST'];
      expect(engineAddress()).to.equal('unix:///var/run/docker.sock');
      process.env['DOCKER_HOST'] = 'tcp://10.9.8.7:2375';
      expect(engineAddress(connectDocker())).to.equal('tcp://10.9.8.7:2375');
      expect(engineAddress(connectDocker('unix:///run/other.sock'))).to.equal('unix:///run/other.sock');
    } finally {
      if (before === undefined) delete process.env['DOCKER_HOST'];
      else process.env['DOCKER_HOST'] = before;
    }
  });
});

describe('pingEngine', () => {
  let server: Server | undefined;
  afterEach(() => {
    server?.closeAllConnections();
    server?.close();
    server = undefined;
  });

  it('rejects with DOCKER_UNAVAILABLE at its deadline when the engine takes the request and never answers, and ends the request', async () => {
    const engine = await fakeEngine(0, () => undefined);
    server = engine.server;
    const address = `tcp://127.0.0.1:${engine.port}`;
    const error = await pingEngine(connectDocker(address), 150).then(
      () => null,
      (e: unknown) => e,
    );
    expect(error).to.be.instanceOf(HarnessError);
    expect((error as HarnessError).code).to.equal('DOCKER_UNAVAILABLE');
    expect((error as HarnessError).message).to.contain(`The Docker engine at ${address} does not answer (no answer within 150 ms)`);
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(engine.requests).to.deep.equal([{ url: '/version', closed: true }]);
  });

  it('holds its deadline over a client that never settles', async () => {
    const fake = new FakeDocker();
    fake.version = () => new Promise(() => undefined);
    const started = Date.now();
    const error = await pingEngine(fake.client, 100).then(
      () => null,
      (e: unknown) => e as HarnessError,
    );
    expect(error?.message).to.contain('no answer within 100 ms');
    expect(Date.now() - started).to.be.below(1_000);
  });

  it('passes on the reason of an engine that refuses', async () => {
    const fake = new FakeDocker();
    fake.version = async () => {
      throw new Error('connect ECONNREFUSED');
    };
    const error = await pingEngine(fake.client, 1_000).then(
      () => null,
      (e: unknown) => e as HarnessError,
    );
    expect(error?.message).to.contain('does not answer (connect ECONNREFUSED)');
  });
});
