// Link faults as Toxiproxy makes them: cut disables the proxy (refused and reset connections), the others are
// toxics on one direction or both. Each returns a handle whose remove() heals exactly what it added.

import type { ToxicDirection, ToxicType } from 'toxiproxy-node-client';
import { HarnessError } from '../core/errors.js';
import type { FaultDirection, FaultKind } from '../core/model.js';
import type { FaultHandle, FaultLog } from './fault-log.js';

/** A toxic as link faults add and change it. */
export interface ToxicBody {
  name: string;
  type: ToxicType;
  stream: ToxicDirection;
  toxicity: number;
  attributes: Record<string, number>;
}

/** A toxic on a proxy, as link faults change it. */
export interface LinkToxic {
  toJson(): ToxicBody;
  update(body: ToxicBody): Promise<unknown>;
  remove(): Promise<unknown>;
}

/** A link's proxy, as link faults drive it. */
export interface LinkProxy {
  readonly listen: string;
  readonly upstream: string;
  update(body: { enabled: boolean; listen: string; upstream: string }): Promise<unknown>;
  addToxic(body: ToxicBody): Promise<LinkToxic>;
  getToxic(name: string): Promise<LinkToxic>;
}

/**
 * The Toxiproxy API, as link faults use it: toxiproxy-node-client's Toxiproxy satisfies it, and
 * harness/testing/fake-toxiproxy.ts implements it in memory.
 */
export interface ToxiproxyApi {
  get(name: string): Promise<LinkProxy>;
}

/** The toxics a fault may add by itself (silences add theirs, slow_close and timeout, in pairs). */
type FaultToxic = Extract<ToxicType, 'latency' | 'bandwidth' | 'reset_peer' | 'slicer' | 'limit_data'>;

/*
 * Silence (a blackhole, an isolation) is two Toxiproxy toxics per stream: slow_close, which holds a connection's close
 * for HOLD_MS, then timeout with timeout 0, which drops the data. Nothing crosses, not even a close: each end finds
 * the silence by itself, as across a real blackhole. It is healed by setting their toxicity to 0, not by removing
 * them: removing a timeout toxic closes every connection of the link (its Cleanup), and a latency toxic long enough
 * to hold data instead can hang its removal 5 s per held chunk once one end gave up. So the healed toxics stay on the
 * proxy, inert, until the topology is removed; every connection carries on as it was, a close held meanwhile goes
 * through, and what was sent during the outage is lost, as a blackhole does.
 */
export const HOLD_MS = 86_400_000;

/** Options common to every toxic fault. */
export interface DirectionOption {
  /** upstream = dialler → listener, downstream = the answers. Default 'both'. */
  direction?: FaultDirection;
}

function checkNumber(option: string, value: number, min: number): void {
  if (!(Number.isFinite(value) && value >= min)) {
    throw new HarnessError('BAD_INPUT', `Fault option ${option} = ${value} is invalid: give a number ≥ ${min}.`, {
      details: { option, value },
    });
  }
}

export class LinkFaults {
  constructor(
    private readonly toxiproxy: ToxiproxyApi,
    private readonly links: ReadonlySet<string>,
    private readonly log: FaultLog,
  ) {}

  private async proxy(link: string): Promise<LinkProxy> {
    if (!this.links.has(link)) {
      throw new HarnessError('BAD_INPUT', `Unknown link "${link}". Links of this topology: ${[...this.links].join(', ')}.`, {
        details: { link },
      });
    }
    return toxiproxyCall(`give the proxy of ${link}`, () => this.toxiproxy.get(link));
  }

  /** Applies a fault through the log; a failing Toxiproxy request is the harness's failure, named as such. */
  private applyFault(fault: Parameters<FaultLog['apply']>[0], apply: () => Promise<void>, heal: () => Promise<void>): Promise<FaultHandle> {
    const words = `${fault.kind} on ${fault.target}`;
    return this.log.apply(
      fault,
      () => toxiproxyCall(`apply ${words}`, apply),
      () => toxiproxyCall(`heal ${words}`, heal),
    );
  }

  /** The proxy is disabled: its listener closes and open connections are closed, so the dialler sees refused/reset. */
  async cut(link: string): Promise<FaultHandle> {
    const proxy = await this.proxy(link);
    const setEnabled = (enabled: boolean) =>
      proxy.update({ enabled, listen: proxy.listen, upstream: proxy.upstream }).then(() => undefined);
    return this.applyFault(
      { kind: 'cut', target: link, direction: 'both', attributes: {} },
      () => setEnabled(false),
      () => setEnabled(true),
    );
  }

  /** Nothing gets through and connections stay open; healed, they carry on (what was sent meanwhile is lost). */
  async blackhole(link: string, options: DirectionOption = {}): Promise<FaultHandle> {
    const proxy = await this.proxy(link);
    const direction = options.direction ?? 'both';
    const streams = direction === 'both' ? (['upstream', 'downstream'] as const) : ([direction] as const);
    return this.silence(
      { kind: 'blackhole', target: link, direction, attributes: {} },
      streams.map((stream) => ({ proxy, stream })),
    );
  }

  latency(link: string, options: { latencyMs: number; jitterMs?: number } & DirectionOption): Promise<FaultHandle> {
    checkNumber('latencyMs', options.latencyMs, 0);
    checkNumber('jitterMs', options.jitterMs ?? 0, 0);
    return this.toxic(
      link,
      'latency',
      'latency',
      { latency: Math.round(options.latencyMs), jitter: Math.round(options.jitterMs ?? 0) },
      options.direction,
    );
  }

  /** At most `rateKBps` kilobytes a second (a whole number ≥ 1: Toxiproxy's rate 0 means no limit). */
  bandwidth(link: string, options: { rateKBps: number } & DirectionOption): Promise<FaultHandle> {
    checkNumber('rateKBps', options.rateKBps, 1);
    return this.toxic(link, 'bandwidth', 'bandwidth', { rate: Math.round(options.rateKBps) }, options.direction);
  }

  /** Connections are reset (TCP RST) after `timeoutMs` (0: at once). */
  resetPeer(link: string, options: { timeoutMs?: number } & DirectionOption = {}): Promise<FaultHandle> {
    checkNumber('timeoutMs', options.timeoutMs ?? 0, 0);
    return this.toxic(link, 'reset-peer', 'reset_peer', { timeout: options.timeoutMs ?? 0 }, options.direction);
  }

  slicer(link: string, options: { averageSize: number; sizeVariation?: number; delayUs?: number } & DirectionOption): Promise<FaultHandle> {
    checkNumber('averageSize', options.averageSize, 1);
    return this.toxic(
      link,
      'slicer',
      'slicer',
      { average_size: options.averageSize, size_variation: options.sizeVariation ?? 0, delay: options.delayUs ?? 0 },
      options.direction,
    );
  }

  /** The connection is closed once `bytes` have gone through. */
  limitData(link: string, options: { bytes: number } & DirectionOption): Promise<FaultHandle> {
    checkNumber('bytes', options.bytes, 0);
    return this.toxic(link, 'limit-data', 'limit_data', { bytes: options.bytes }, options.direction);
  }

  /** Silences every one of `links`, both ways, as one fault of `kind` on `target` (a node's isolation). */
  async silenceAll(kind: FaultKind, target: string, links: string[]): Promise<FaultHandle> {
    const proxies = await Promise.all(links.map((link) => this.proxy(link)));
    const streams = proxies.flatMap((proxy) => (['upstream', 'downstream'] as const).map((stream) => ({ proxy, stream })));
    return this.silence({ kind, target, direction: 'both', attributes: { links: links.join(' ') } }, streams);
  }

  /** Holds closes and drops data on each stream; the heal makes the toxics inert (toxicity 0), closes first. */
  private silence(
    fault: Parameters<FaultLog['apply']>[0],
    streams: Array<{ proxy: LinkProxy; stream: ToxicDirection }>,
  ): Promise<FaultHandle> {
    let added: Array<{ hold: LinkToxic; drop: LinkToxic }> = [];
    const inert = (toxic: LinkToxic) => toxic.update({ ...toxic.toJson(), toxicity: 0 });
    return this.applyFault(
      fault,
      async () => {
        added = await Promise.all(
          streams.map(async ({ proxy, stream }) => {
            const name = `${fault.kind}-${stream}-${uniq()}`;
            // In this order on the chain: a close is held before the data behind it is dropped.
            const hold = await proxy.addToxic({
              name: `${name}-hold-close`,
              type: 'slow_close',
              stream,
              toxicity: 1,
              attributes: { delay: HOLD_MS },
            });
            const drop = await proxy.addToxic({ name: `${name}-drop`, type: 'timeout', stream, toxicity: 1, attributes: { timeout: 0 } });
            return { hold, drop };
          }),
        );
      },
      async () => {
        await Promise.all(added.map((t) => inert(t.hold)));
        await Promise.all(added.map((t) => inert(t.drop)));
      },
    );
  }

  private async toxic(
    link: string,
    kind: FaultKind,
    type: FaultToxic,
    attributes: Record<string, number>,
    direction: FaultDirection = 'both',
  ): Promise<FaultHandle> {
    const proxy = await this.proxy(link);
    const streams = direction === 'both' ? (['upstream', 'downstream'] as const) : ([direction] as const);
    const names = streams.map((stream) => `${kind}-${stream}-${uniq()}`);
    return this.applyFault(
      { kind, target: link, direction, attributes },
      () =>
        Promise.all(streams.map((stream, i) => proxy.addToxic({ name: names[i]!, type, stream, toxicity: 1, attributes }))).then(
          () => undefined,
        ),
      () => Promise.all(names.map(async (name) => (await proxy.getToxic(name)).remove())).then(() => undefined),
    );
  }
}

/**
 * A request to the site's Toxiproxy. Its failure (refused, reset, an error answer) is the harness's, not the site's:
 * TOXIPROXY_FAILED, which makes the execution inconclusive (harness).
 */
async function toxiproxyCall<T>(what: string, call: () => Promise<T>): Promise<T> {
  try {
    return await call();
  } catch (error) {
    if (error instanceof HarnessError) throw error;
    throw new HarnessError('TOXIPROXY_FAILED', `the site's Toxiproxy did not ${what}: ${(error as Error).message}`, { cause: error });
  }
}

let counter = 0;
function uniq(): string {
  counter += 1;
  return `${process.pid.toString(36)}${counter.toString(36)}`;
}
