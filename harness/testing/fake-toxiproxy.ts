// A fake Toxiproxy API client for unit tests: proxies kept in memory with their toxics and enabled state, and a log of
// every toxic added and removed, so a test can check that a fault adds exactly what it should and heals exactly that.

import type { LinkProxy, LinkToxic, ToxicBody, ToxiproxyApi } from '../faults/link-faults.js';

/** A toxic as LinkFaults sends it. */
export type FakeToxic = ToxicBody;

export class FakeProxy implements LinkProxy {
  enabled = true;
  readonly toxics = new Map<string, FakeToxic>();
  /** Every toxic added, in order, with its proxy. */
  readonly added: FakeToxic[] = [];
  /** Names of the toxics removed, in order. */
  readonly removed: string[] = [];
  /** Every update body, in order. */
  readonly updates: Array<{ enabled: boolean; listen: string; upstream: string }> = [];
  /** Names of the toxics updated, in order (a silence is healed by making its toxic inert). */
  readonly toxicUpdates: Array<{ name: string; toxicity: number }> = [];

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

  async addToxic(body: FakeToxic): Promise<LinkToxic> {
    if (this.toxics.has(body.name)) throw new Error(`toxic ${body.name} already exists on ${this.name}`);
    this.toxics.set(body.name, { ...body });
    this.added.push(body);
    return this.#toxic(body.name);
  }

  async getToxic(name: string): Promise<LinkToxic> {
    this.#find(name);
    return this.#toxic(name);
  }

  #find(name: string): FakeToxic {
    const toxic = this.toxics.get(name);
    if (!toxic) throw new Error(`toxic ${name} not found on ${this.name}`);
    return toxic;
  }

  /** The toxic as the API hands it out: it reads and changes the one on this proxy. */
  #toxic(name: string): LinkToxic {
    return {
      toJson: () => ({ ...this.#find(name) }),
      update: async (next) => {
        const toxic = this.#find(name);
        toxic.toxicity = next.toxicity;
        this.toxicUpdates.push({ name, toxicity: next.toxicity });
        return toxic;
      },
      remove: async () => {
        this.#find(name);
        this.toxics.delete(name);
        this.removed.push(name);
      },
    };
  }
}

export class FakeToxiproxy implements ToxiproxyApi {
  readonly proxies = new Map<string, FakeProxy>();

  constructor(links: readonly string[]) {
    links.forEach((link, i) => this.proxies.set(link, new FakeProxy(link, `0.0.0.0:${20_000 + i}`, `10.0.1.${i + 2}:7000`)));
  }

  /** This fake as the type LinkFaults takes. */
  get client(): ToxiproxyApi {
    return this;
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

  /** Toxics that act: on a proxy and not made inert (toxicity 0). */
  toxicsInForce(): Array<FakeToxic & { link: string }> {
    return [...this.proxies.values()].flatMap((p) =>
      [...p.toxics.values()].filter((t) => t.toxicity > 0).map((t) => ({ ...t, link: p.name })),
    );
  }
}
