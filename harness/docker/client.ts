// The Docker engine client: exactly the engine calls the harness makes, as a narrow interface that dockerode's client
// satisfies and the unit tests' fake implements. It is made once at the top (the CLI, a worker) and passed down.

import { once } from 'node:events';
import Docker from 'dockerode';
import { HarnessError } from '../core/errors.js';

/** What the harness reads of a container's inspection. */
export interface ContainerInspection {
  Id: string;
  /** "/name", as the engine writes it. */
  Name: string;
  /** Whether it runs (a paused container runs, frozen), and the engine's word for its state ("running", "exited"). */
  State: { Status: string; Running: boolean; Paused: boolean };
  NetworkSettings: { Networks: Record<string, Pick<Docker.NetworkInfo, 'IPAddress'>> };
}

/**
 * What the harness reads of a container's one-shot statistics. Its own type, not dockerode's MemoryStats: that one
 * lists only cgroup v1's counters (`rss`), and cgroup v2 reports `anon` instead.
 */
export interface ContainerStatsSample {
  memory_stats?: { stats?: Record<string, number>; usage?: number };
}

/** A container, as the harness drives it. */
export interface EngineContainer {
  readonly id: string;
  inspect(): Promise<ContainerInspection>;
  start(): Promise<unknown>;
  stop(options?: Pick<Docker.ContainerStopOptions, 't'>): Promise<unknown>;
  kill(options?: { signal?: string }): Promise<unknown>;
  pause(): Promise<unknown>;
  unpause(): Promise<unknown>;
  /** Resolves when the container exits, with its exit code. */
  wait(): Promise<{ StatusCode: number }>;
  remove(options?: Pick<Docker.ContainerRemoveOptions, 'force' | 'v'>): Promise<unknown>;
  /** The output so far, stdout and stderr multiplexed (see demux()). */
  logs(options: Docker.ContainerLogsOptions & { follow?: false }): Promise<Buffer>;
  stats(options: { stream?: false; 'one-shot'?: boolean }): Promise<ContainerStatsSample>;
}

/** A network, as the harness drives it. */
export interface EngineNetwork {
  readonly id: string;
  /** `Containers`: the endpoints on the network, by container id. */
  inspect(): Promise<Pick<Docker.NetworkInspectInfo, 'Id' | 'Name' | 'Labels'> & { Containers?: Record<string, unknown> }>;
  connect(options: Pick<Docker.NetworkConnectOptions, 'Container' | 'EndpointConfig'>): Promise<unknown>;
  disconnect(options: { Container: string; Force?: boolean }): Promise<unknown>;
  remove(): Promise<unknown>;
}

/** One event of a progress stream (build, import, pull): a line of output, or the error that ended it. */
export interface ProgressEvent {
  stream?: string;
  error?: string;
}

/** What the harness lists of containers, networks and images. */
export type ContainerSummary = Pick<Docker.ContainerInfo, 'Id' | 'Names' | 'Labels' | 'Mounts'>;
export type NetworkSummary = Pick<Docker.NetworkInspectInfo, 'Id' | 'Name' | 'Labels'>;
export type ImageSummary = Pick<Docker.ImageInfo, 'RepoTags' | 'Size'>;

/**
 * What every function of the harness takes to reach the engine: the calls it makes, no more. dockerode's `Docker`
 * satisfies it (connectDocker() proves it); harness/testing/fake-docker.ts implements it in memory.
 */
export interface DockerClient {
  /** The engine's version; an `abortSignal` ends the request. */
  version(options?: { abortSignal?: AbortSignal }): Promise<Pick<Docker.DockerVersion, 'Version'>>;
  /** What the engine says of its host: its CPUs and memory size an engine's share of a pool is reckoned from. */
  info(): Promise<{ NCPU?: number; MemTotal?: number }>;
  createContainer(options: Docker.ContainerCreateOptions): Promise<EngineContainer>;
  getContainer(id: string): EngineContainer;
  listContainers(options?: Docker.ContainerListOptions): Promise<ContainerSummary[]>;
  createNetwork(options: Docker.NetworkCreateOptions): Promise<{ id: string }>;
  getNetwork(id: string): EngineNetwork;
  listNetworks(options?: Docker.NetworkListOptions): Promise<NetworkSummary[]>;
  getVolume(name: string): { inspect(): Promise<unknown> };
  getImage(name: string): { inspect(): Promise<Pick<Docker.ImageInspectInfo, 'Id' | 'Size'>> };
  listImages(options?: Docker.ListImagesOptions): Promise<ImageSummary[]>;
  buildImage(context: Docker.ImageBuildContext, options: Docker.ImageBuildOptions): Promise<NodeJS.ReadableStream>;
  /** `docker import` of a root file system tarball. */
  importImage(file: string, options: { repo: string; tag: string }): Promise<NodeJS.ReadableStream>;
  /** Starts a pull; an `abortSignal` ends it. */
  pull(repoTag: string, options?: { abortSignal?: AbortSignal }): Promise<NodeJS.ReadableStream>;
  /** The engine's event stream, until `abortSignal` aborts. */
  getEvents(options: Docker.GetEventsOptions): Promise<NodeJS.ReadableStream>;
  readonly modem: {
    /** Reads a progress stream to its end; `onFinished` gets every event, `onProgress` each as it comes. */
    followProgress(
      stream: NodeJS.ReadableStream,
      onFinished: (error: Error | null, output: ProgressEvent[]) => void,
      onProgress?: (event: ProgressEvent) => void,
    ): void;
  };
}

/** The local engine's socket, where a client without DOCKER_HOST connects. */
export const DEFAULT_ADDRESS = 'unix:///var/run/docker.sock';
const addresses = new WeakMap<DockerClient, string>();

/**
 * A client for the engine at `host`, a DOCKER_HOST-style URL (unix:///path, tcp://host:port, ssh://user@host), else
 * at DOCKER_HOST when set, else the local socket. docker-modem parses the URL exactly as it parses DOCKER_HOST (it
 * reads DOCKER_TLS_VERIFY, DOCKER_CERT_PATH and SSH_AUTH_SOCK with it).
 */
export function connectDocker(host?: string): DockerClient {
  const client: DockerClient = host === undefined ? new Docker() : withDockerHost(host, () => new Docker());
  if (host !== undefined) addresses.set(client, host);
  return client;
}

/** Runs `make` with DOCKER_HOST set to `host`, then puts DOCKER_HOST back: docker-modem reads only the variable. */
function withDockerHost<T>(host: string, make: () => T): T {
  const saved = process.env['DOCKER_HOST'];
  process.env['DOCKER_HOST'] = host;
  try {
    return make();
  } finally {
    if (saved === undefined) delete process.env['DOCKER_HOST'];
    else process.env['DOCKER_HOST'] = saved;
  }
}

/** Where `client` (else a client made without a host) reaches the engine, as a DOCKER_HOST-style URL. */
export function engineAddress(client?: DockerClient): string {
  return (client && addresses.get(client)) ?? process.env['DOCKER_HOST'] ?? DEFAULT_ADDRESS;
}

/** Resolves with the engine version, or rejects with DOCKER_UNAVAILABLE once `timeoutMs` passed without an answer. */
export async function pingEngine(client: DockerClient, timeoutMs = 3_000): Promise<string> {
  const deadline = AbortSignal.timeout(timeoutMs);
  try {
    // The signal ends the request; the race holds the deadline even over a transport that would not end it.
    const answer = client.version({ abortSignal: deadline });
    answer.catch(() => undefined); // past the deadline, its failure is the timeout, already reported
    const version = await Promise.race([answer, once(deadline, 'abort').then(() => null)]);
    if (version === null) throw new Error(`no answer within ${timeoutMs} ms`);
    return version.Version;
  } catch (cause) {
    const reason = deadline.aborted ? `no answer within ${timeoutMs} ms` : (cause as Error).message;
    throw new HarnessError(
      'DOCKER_UNAVAILABLE',
      `The Docker engine at ${engineAddress(client)} does not answer (${reason}). ` +
        'Start it (the set-up does this on Debian as root: `npm run setup`), or point DOCKER_HOST at a running engine.',
      { cause, details: { dockerHost: engineAddress(client) } },
    );
  }
}
