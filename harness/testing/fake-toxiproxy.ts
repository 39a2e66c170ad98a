// A fake Toxiproxy API client for unit tests: proxies kept in memory with their toxics and enabled state, and a log of
// every toxic added and removed, so a test can check that a fault adds exactly what it should and heals exactly that.

import type { Toxiproxy } from 'toxiproxy-node-client';

/** A toxic as LinkFaults sends it. */
export interface FakeToxic {
  name: string;
  type: string;
  stream: 'upstream' | 'downstream';
  toxicity: number;
  attributes: Record<string, number>;
}

export class FakeProxy {
  enabled = true;
  readonly toxics = new Map<string, FakeToxic>();
  /** Every toxic added, in order, with its proxy. */
  readonly added: FakeToxic[] = [];
  /** Names of the toxics removed, in order. */
  readonly removed: string[] = [];
  /** Every update body, in order. */
  readonly updates: Array<{ enabled: boolean; listen: string; upstream: string }> = [];

  constructor(
    readonly name: string,
    readonly listen: string,
    readonly upstream: string,
  ) {}

  async update(body: { enabled: boolean; listen: string; upstream: string }): Promise<FakeProxy> {
    this.updates.push(body);
    this.enabled = body.enabled;
    return this;
  }

  /** Names of the toxics updated, in order (a silence is healed by making its toxic inert). */
  readonly toxicUpdates: Array<{ name: string; toxicity: number }> = [];

  async addToxic(body: FakeToxic): Promise<FakeToxic & { toJson(): FakeToxic; update(next: FakeToxic): Promise<FakeToxic> }> {
    if (this.toxics.has(body.name)) throw new Error(`toxic ${body.name} already exists on ${this.name}`);
    this.toxics.set(body.name, { ...body });
    this.added.push(body);
    return {
      ...body,
      toJson: () => ({ ...body }),
      update: async (next: FakeToxic) => {
        const toxic = this.toxics.get(body.name);
        if (!toxic) throw new Error(`toxic ${body.name} not found on ${this.name}`);
        toxic.toxicity = next.toxicity;
        this.toxicUpdates.push({ name: body.name, toxicity: next.toxicity });
        return toxic;
      },
    };
  }

  async getToxic(name: string): Promise<FakeToxic & { remove(): Promise<void> }> {
    const toxic = this.toxics.get(name);
    if (!toxic) throw new Error(`toxic ${name} not found on ${this.name}`);
    return {
      ...toxic,
      remove: async () => {
        this.toxics.delete(name);
        this.removed.push(name);
      },
    };
  }
}

export class FakeToxiproxy {
  readonly proxies = new Map<string, FakeProxy>();

  constructor(links: readonly string[]) {
    links.forEach((link, i) => this.proxies.set(link, new FakeProxy(link, `0.0.0.0:${20_000 + i}`, `10.0.1.${i + 2}:7000`)));
  }

  /** This fake as the type LinkFaults takes. */
  get client(): Toxiproxy {
    return this as unknown as Toxiproxy;
  }

  async get(name: string): Promise<FakeProxy> {
    const proxy = this.proxies.get(name);
    if (!proxy) throw new Error(`proxy ${name} not found`);
    return proxy;
  }

  proxy(name: string): FakeProxy {
    const proxy = this.proxies.get(name);
    if (!proxy) throw new Error(`no fake proxy ${name}`);
    return proxy;
  }

  /** Every toxic in force on every proxy. */
  /** Toxics that act: on a proxy and not made inert (toxicity 0). */
  toxicsInForce(): Array<FakeToxic & { link: string }> {
    return [...this.proxies.values()].flatMap((p) =>
      [...p.toxics.values()].filter((t) => t.toxicity > 0).map((t) => ({ ...t, link: p.name })),
    );
  }
}
