// The Docker engine client: dockerode, pointed at DOCKER_HOST when set, else the local socket.
// `pingEngine` tells whether an engine answers, with a deadline, so set-up can fail clearly.

import Docker from 'dockerode';
import { HarnessError } from '../core/errors.js';

let shared: Docker | undefined;

/** The process-wide engine client (docker-modem reads DOCKER_HOST, DOCKER_TLS_VERIFY and DOCKER_CERT_PATH itself). */
export function docker(): Docker {
  shared ??= new Docker();
  return shared;
}

export function engineAddress(): string {
  return process.env['DOCKER_HOST'] ?? 'unix:///var/run/docker.sock';
}

/** Resolves with the engine version, or rejects with DOCKER_UNAVAILABLE after `timeoutMs`. */
export async function pingEngine(timeoutMs = 3_000): Promise<string> {
  const client = docker();
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
