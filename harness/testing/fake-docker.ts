// A fake dockerode client for unit tests: the few engine calls harness/docker, faults and setup make, kept in memory,
// with a log of what was asked and when, so tests can check options, order and concurrency without an engine.

import type Docker from 'dockerode';
import type { DockerClient } from '../docker/client.js';

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

/** What a fake container answers; a small subset of Docker.Container. */
export interface FakeContainer {
  id: string;
  inspect(): Promise<unknown>;
  start(): Promise<void>;
  stop(options?: unknown): Promise<void>;
  kill(options?: unknown): Promise<void>;
  pause(): Promise<void>;
  unpause(): Promise<void>;
  remove(options?: unknown): Promise<void>;
  logs(options?: unknown): Promise<Buffer>;
}

function matchesLabels(labels: Record<string, string>, filters: { label?: string[] } | undefined): boolean {
  return (filters?.label ?? []).every((filter) => {
    const [key, value] = filter.split('=', 2) as [string, string | undefined];
    return value === undefined ? labels[key] !== undefined : labels[key] === value;
  });
}

export class FakeDocker {
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
  /** Tags built or imported, in order. */
  readonly built: Array<{ tag: string; files: string[]; buildargs: Record<string, string> }> = [];
  /** Container ids whose removal fails with an engine error other than "gone". */
  readonly failingRemovals = new Set<string>();
  /** How long a container removal takes: long enough for concurrent removals to overlap. */
  removalMs = 5;
  /** Whether an image is on the engine (a predicate, so a test can say "any cmsha/standin:* tag"). */
  imagePresent: (tag: string) => boolean = () => false;
  /** What version() answers; a function that throws stands for a dead engine. */
  version: () => Promise<{ Version: string }> = async () => ({ Version: '27.0.0-fake' });

  #clock = 0;
  #next = 0;

  /** This fake as the type harness/docker takes. */
  get client(): DockerClient {
    return this as unknown as DockerClient;
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

  async createContainer(options: Docker.ContainerCreateOptions): Promise<FakeContainer> {
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

  getContainer(idOrName: string): FakeContainer {
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
      inspect: async () => {
        const state = find();
        const networks = Object.fromEntries([...state.networks].map((n) => [n, { IPAddress: '10.0.0.2' }]));
        return {
          Id: state.id,
          Name: `/${state.name}`,
          State: { Running: state.running, Paused: state.paused },
          Config: { Labels: state.labels },
          NetworkSettings: { Networks: networks },
        };
      },
      start: () => act('start', (s) => (s.running = true)),
      stop: () => act('stop', (s) => (s.running = false)),
      kill: () => act('kill', (s) => (s.running = false)),
      pause: () => act('pause', (s) => (s.paused = true)),
      unpause: () => act('unpause', (s) => (s.paused = false)),
      logs: async () => Buffer.from('a line\n'),
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

  getNetwork(idOrName: string): {
    id: string;
    inspect(): Promise<unknown>;
    connect(options: { Container: string }): Promise<void>;
    disconnect(options: { Container: string }): Promise<void>;
    remove(): Promise<void>;
  } {
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

  async listContainers(options?: { all?: boolean; filters?: { label?: string[] } }): Promise<Docker.ContainerInfo[]> {
    this.calls.push('listContainers');
    return [...this.containers.values()]
      .filter((c) => matchesLabels(c.labels, options?.filters))
      .map((c) => ({ Id: c.id, Names: [`/${c.name}`], Labels: c.labels }) as unknown as Docker.ContainerInfo);
  }

  async listNetworks(options?: { filters?: { label?: string[] } }): Promise<Docker.NetworkInspectInfo[]> {
    this.calls.push('listNetworks');
    return [...this.networks.values()]
      .filter((n) => matchesLabels(n.labels, options?.filters))
      .map((n) => ({ Id: n.id, Name: n.name, Labels: n.labels }) as unknown as Docker.NetworkInspectInfo);
  }

  async listImages(): Promise<Docker.ImageInfo[]> {
    return [];
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
  async buildImage(
    context: { context: string; src: string[] },
    options: { t: string; buildargs?: Record<string, string> },
  ): Promise<NodeJS.ReadableStream> {
    this.built.push({ tag: options.t, files: [...context.src].sort(), buildargs: options.buildargs ?? {} });
    return {} as NodeJS.ReadableStream;
  }

  readonly modem = {
    followProgress: (_stream: unknown, onFinished: (error: Error | null, output: unknown[]) => void) => {
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
