// The Docker engine client: dockerode, pointed at DOCKER_HOST when set, else the local socket. It is made once at
// the top (the CLI, a worker) and passed down, so every layer below can be tested with a fake client.

import Docker from 'dockerode';
import { HarnessError } from '../core/errors.js';

/** What every function of harness/docker takes: a dockerode client (or a fake with the same methods, in unit tests). */
export type DockerClient = Docker;

/** A client for the engine at DOCKER_HOST, else the local socket (docker-modem reads DOCKER_HOST, DOCKER_TLS_VERIFY, DOCKER_CERT_PATH). */
export function connectDocker(): DockerClient {
  return new Docker();
}

export function engineAddress(): string {
  return process.env['DOCKER_HOST'] ?? 'unix:///var/run/docker.sock';
}

/** Resolves with the engine version, or rejects with DOCKER_UNAVAILABLE after `timeoutMs`. */
export async function pingEngine(client: DockerClient, timeoutMs = 3_000): Promise<string> {
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`no answer within ${timeoutMs} ms`)), timeoutMs);
  });
  try {
    const version = await Promise.race([client.version(), deadline]);
    return version.Version;
  } catch (cause) {
    throw new HarnessError(
      'DOCKER_UNAVAILABLE',
      `The Docker engine at ${engineAddress()} does not answer (${(cause as Error).message}). ` +
        'Start it (the set-up does this on Debian as root: `npm run setup`), or point DOCKER_HOST at a running engine.',
      { cause, details: { dockerHost: engineAddress() } },
    );
  } finally {
    clearTimeout(timer);
  }
}
