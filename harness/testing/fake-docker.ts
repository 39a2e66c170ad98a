// A fake engine client for unit tests: every call of the DockerClient interface, kept in memory, with a log of what
// was asked and when, so tests can check options, order and concurrency without an engine.

import { Readable } from 'node:stream';
import type Docker from 'dockerode';
import type {
  ContainerInspection,
  ContainerSummary,
  DockerClient,
  EngineContainer,
  EngineNetwork,
  NetworkSummary,
  ProgressEvent,
} from '../docker/client.js';

/** An engine error as dockerode rejects with: the HTTP status is what callers test (404 gone, 304 no change). */
export function engineError(statusCode: number, message: string): Error & { statusCode: number } {
  return Object.assign(new Error(`(HTTP code ${statusCode}) ${message}`), { statusCode });
}

interface FakeContainerState {
  id: string;
  name: string;
  labels: Record<string, string>;
  running: boolean;
  paused: boolean;
  networks: Set<string>;
}

interface FakeNetworkState {
  id: string;
  name: string;
  labels: Record<string, string>;
  /** Container ids with an endpoint on the network. */
  endpoints: Set<string>;
}

/** One removal as the fake saw it: which container, its part label, and when it began and ended (event order). */
export interface RemovalSpan {
  id: string;
  part: string | undefined;
  start: number;
  end: number;
}

/** Whether labels pass a list call's filters (given as the engine takes them: an object, or its JSON text). */
function matchesLabels(labels: Record<string, string>, filters: string | Record<string, string[]> | undefined): boolean {
  const given = typeof filters === 'string' ? (JSON.parse(filters) as Record<string, string[]>) : filters;
  return (given?.['label'] ?? []).every((filter) => {
    const [key, value] = filter.split('=', 2) as [string, string | undefined];
    return value === undefined ? labels[key] !== undefined : labels[key] === value;
  });
}

export class FakeDocker implements DockerClient {
  readonly containers = new Map<string, FakeContainerState>();
  readonly networks = new Map<string, FakeNetworkState>();
  /** Every createContainer options object, as sent. */
  readonly created: Docker.ContainerCreateOptions[] = [];
  /** Every createNetwork options object, as sent. */
  readonly createdNetworks: Docker.NetworkCreateOptions[] = [];
  /** Every network.connect, as sent. */
  readonly connects: Array<{ network: string; options: unknown }> = [];
  /** Container removals in the order they began, with their spans on the fake's event counter. */
  readonly removals: RemovalSpan[] = [];
  /** Network removals in the order they happened, on the same event counter. */
  readonly networkRemovals: Array<{ id: string; at: number }> = [];
  /** Calls by method name ("listContainers", "remove:<id>", ...), to count them. */
  readonly calls: string[] = [];
  /** Tags built or imported, in order (an import has no files and no build arguments). */
  readonly built: Array<{ tag: string; files: string[]; buildargs: Record<string, string> }> = [];
  /** Tags asked for by pull(), which always fails: there is no registry. */
  readonly pulls: string[] = [];
  /** Container ids whose removal fails with an engine error other than "gone". */
  readonly failingRemovals = new Set<string>();
  /** How long a container removal takes: long enough for concurrent removals to overlap. */
  removalMs = 5;
  /** Whether an image is on the engine (a predicate, so a test can say "any cmsha/standin:* tag"). */
  imagePresent: (tag: string) => boolean = () => false;
  /** What version() answers; a function that throws (or never settles) stands for a dead engine. */
  version: (options?: { abortSignal?: AbortSignal }) => Promise<{ Version: string }> = async () => ({ Version: '27.0.0-fake' });
  /** What info() answers: the engine's host, as a pool reckons its share from it. */
  info: () => Promise<{ NCPU?: number; MemTotal?: number }> = async () => ({ NCPU: 4, MemTotal: 16 * 1024 ** 3 });

  #clock = 0;
  #next = 0;

  /** This fake as the type harness/docker takes. */
  get client(): DockerClient {
    return this;
  }

  /** Adds a container directly (as a run that died would have left it). */
  addContainer(name: string, labels: Record<string, string>, networks: string[] = []): string {
    const id = this.#id('c');
    this.containers.set(id, { id, name, labels, running: true, paused: false, networks: new Set(networks) });
    for (const network of networks) this.#network(network)?.endpoints.add(id);
    return id;
  }

  /** Adds a network directly. */
  addNetwork(name: string, labels: Record<string, string>): string {
    const id = this.#id('n');
    this.networks.set(id, { id, name, labels, endpoints: new Set() });
    return id;
  }

  async createContainer(options: Docker.ContainerCreateOptions): Promise<EngineContainer> {
    this.created.push(options);
    const id = this.#id('c');
    const first = Object.keys(options.NetworkingConfig?.EndpointsConfig ?? {});
    this.containers.set(id, {
      id,
      name: options.name ?? id,
      labels: options.Labels ?? {},
      running: false,
      paused: false,
      networks: new Set(),
    });
    for (const network of first) this.#attach(network, id);
    return this.getContainer(id);
  }

  getContainer(idOrName: string): EngineContainer {
    const find = (): FakeContainerState => {
      const state = this.containers.get(idOrName) ?? [...this.containers.values()].find((c) => c.name === idOrName);
      if (!state) throw engineError(404, `no such container: ${idOrName}`);
      return state;
    };
    const act = async (method: string, change: (state: FakeContainerState) => void): Promise<void> => {
      this.calls.push(`${method}:${idOrName}`);
      change(find());
    };
    return {
      id: idOrName,
      inspect: async (): Promise<ContainerInspection> => {
        const state = find();
        const networks = Object.fromEntries([...state.networks].map((n) => [n, { IPAddress: '10.0.0.2' }]));
        const status = !state.running ? 'exited' : state.paused ? 'paused' : 'running';
        return {
          Id: state.id,
          Name: `/${state.name}`,
          State: { Status: status, Running: state.running, Paused: state.paused },
          NetworkSettings: { Networks: networks },
        };
      },
      start: () => act('start', (s) => (s.running = true)),
      stop: () => act('stop', (s) => (s.running = false)),
      kill: () => act('kill', (s) => (s.running = false)),
      pause: () => act('pause', (s) => (s.paused = true)),
      unpause: () => act('unpause', (s) => (s.paused = false)),
      wait: async () => {
        this.calls.push(`wait:${idOrName}`);
        const state = find();
        state.running = false;
        return { StatusCode: 0 };
      },
      logs: async () => Buffer.from('a line\n'),
      stats: async () => ({ memory_stats: { stats: { anon: 8 * 1024 * 1024 }, usage: 10 * 1024 * 1024 } }),
      remove: async () => {
        this.calls.push(`remove:${idOrName}`);
        const state = find();
        if (this.failingRemovals.has(state.id)) throw engineError(500, `driver failed removing container ${state.id}`);
        const span: RemovalSpan = { id: state.id, part: state.labels['cmsha.part'], start: this.#tick(), end: -1 };
        this.removals.push(span);
        await new Promise((resolve) => setTimeout(resolve, this.removalMs));
        for (const network of state.networks) this.#network(network)?.endpoints.delete(state.id);
        this.containers.delete(state.id);
        span.end = this.#tick();
      },
    };
  }

  async createNetwork(options: Docker.NetworkCreateOptions): Promise<{ id: string }> {
    this.createdNetworks.push(options);
    return { id: this.addNetwork(options.Name, options.Labels ?? {}) };
  }

  getNetwork(idOrName: string): EngineNetwork {
    const find = (): FakeNetworkState => {
      const state = this.#network(idOrName);
      if (!state) throw engineError(404, `network ${idOrName} not found`);
      return state;
    };
    return {
      id: idOrName,
      inspect: async () => {
        const state = find();
        return {
          Id: state.id,
          Name: state.name,
          Labels: state.labels,
          Containers: Object.fromEntries([...state.endpoints].map((c) => [c, {}])),
        };
      },
      connect: async (options) => {
        this.connects.push({ network: idOrName, options });
        if (options.Container === undefined) throw engineError(400, 'no container to connect');
        this.#attach(idOrName, options.Container);
      },
      disconnect: async (options) => {
        const state = find();
        state.endpoints.delete(options.Container);
        this.containers.get(options.Container)?.networks.delete(state.name);
      },
      remove: async () => {
        const state = find();
        if (state.endpoints.size > 0) throw engineError(403, `error while removing network: network ${state.name} has active endpoints`);
        this.networks.delete(state.id);
        this.networkRemovals.push({ id: state.id, at: this.#tick() });
      },
    };
  }

  async listContainers(options?: Docker.ContainerListOptions): Promise<ContainerSummary[]> {
    this.calls.push('listContainers');
    return [...this.containers.values()]
      .filter((c) => matchesLabels(c.labels, options?.filters))
      .map((c) => ({ Id: c.id, Names: [`/${c.name}`], Labels: c.labels, Mounts: [] }));
  }

  async listNetworks(options?: Docker.NetworkListOptions): Promise<NetworkSummary[]> {
    this.calls.push('listNetworks');
    return [...this.networks.values()]
      .filter((n) => matchesLabels(n.labels, options?.filters))
      .map((n) => ({ Id: n.id, Name: n.name, Labels: n.labels }));
  }

  async listImages(): Promise<Array<{ RepoTags: string[]; Size: number }>> {
    return [];
  }

  /** Volumes are not kept: every one is gone. */
  getVolume(name: string): { inspect(): Promise<unknown> } {
    return {
      inspect: async () => {
        throw engineError(404, `get ${name}: no such volume`);
      },
    };
  }

  getImage(tag: string): { inspect(): Promise<{ Id: string; Size: number }> } {
    return {
      inspect: async () => {
        if (!this.imagePresent(tag)) throw engineError(404, `no such image: ${tag}`);
        return { Id: `sha256:${tag}`, Size: 1_000_000 };
      },
    };
  }

  /** A build the fake always completes; the context's file list and the tag are kept for the test. */
  async buildImage(context: Docker.ImageBuildContext, options: Docker.ImageBuildOptions): Promise<NodeJS.ReadableStream> {
    this.built.push({ tag: options.t ?? '', files: [...context.src].sort(), buildargs: options.buildargs ?? {} });
    return Readable.from([]);
  }

  /** An import the fake always completes, kept with the builds. */
  async importImage(_file: string, options: { repo: string; tag: string }): Promise<NodeJS.ReadableStream> {
    this.built.push({ tag: `${options.repo}:${options.tag}`, files: [], buildargs: {} });
    return Readable.from([]);
  }

  async pull(repoTag: string, _options?: { abortSignal?: AbortSignal }): Promise<NodeJS.ReadableStream> {
    this.pulls.push(repoTag);
    throw engineError(404, `pull access denied for ${repoTag}: no registry`);
  }

  /** An event stream that ends at once: the fake emits no events. */
  async getEvents(): Promise<NodeJS.ReadableStream> {
    return Readable.from([]);
  }

  readonly modem = {
    followProgress: (_stream: NodeJS.ReadableStream, onFinished: (error: Error | null, output: ProgressEvent[]) => void) => {
      setImmediate(() => onFinished(null, []));
    },
  };

  #network(idOrName: string): FakeNetworkState | undefined {
    return this.networks.get(idOrName) ?? [...this.networks.values()].find((n) => n.name === idOrName);
  }

  #attach(network: string, containerId: string): void {
    const state = this.#network(network);
    if (!state) throw engineError(404, `network ${network} not found`);
    state.endpoints.add(containerId);
    this.containers.get(containerId)?.networks.add(state.name);
  }

  #tick(): number {
    this.#clock += 1;
    return this.#clock;
  }

  #id(prefix: string): string {
    this.#next += 1;
    return `${prefix}${this.#next.toString().padStart(12, '0')}`;
  }
}
