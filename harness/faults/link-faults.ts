// Link faults as Toxiproxy makes them: cut disables the proxy (refused and reset connections), the others are
// toxics on one direction or both. Each returns a handle whose remove() heals exactly what it added.

import type { Proxy, Toxiproxy } from 'toxiproxy-node-client';
import { HarnessError } from '../core/errors.js';
import type { FaultDirection, FaultKind } from '../core/model.js';
import type { FaultHandle, FaultLog } from './fault-log.js';

type ToxicType = 'latency' | 'bandwidth' | 'reset_peer' | 'slicer' | 'limit_data';

/**
 * How long a blackhole holds data: longer than any run. A blackhole is a latency toxic this long, not Toxiproxy's
 * timeout toxic: removing a timeout toxic closes every connection of the link (its Cleanup), so a silent outage
 * could not end with the connections intact, as a WAN blip does. Held data is delivered when the blackhole is
 * removed, as TCP delivers its retransmissions once a blip ends.
 */
export const HOLD_MS = 86_400_000;

/** Options common to every toxic fault. */
export interface DirectionOption {
  /** upstream = dialler → listener, downstream = the answers. Default 'both'. */
  direction?: FaultDirection;
}

function checkNumber(option: string, value: number, min: number): void {
  if (!(Number.isFinite(value) && value >= min)) {
    throw new HarnessError('BAD_INPUT', `Fault option ${option} = ${value} is invalid: give a number ≥ ${min}.`, { details: { option, value } });
  }
}

export class LinkFaults {
  constructor(
    private readonly toxiproxy: Toxiproxy,
    private readonly links: ReadonlySet<string>,
    private readonly log: FaultLog,
  ) {}

  private async proxy(link: string): Promise<Proxy> {
    if (!this.links.has(link)) {
      throw new HarnessError('BAD_INPUT', `Unknown link "${link}". Links of this topology: ${[...this.links].join(', ')}.`, { details: { link } });
    }
    return this.toxiproxy.get(link);
  }

  /** The proxy is disabled: its listener closes and open connections are closed, so the dialler sees refused/reset. */
  async cut(link: string): Promise<FaultHandle> {
    const proxy = await this.proxy(link);
    const setEnabled = (enabled: boolean) => proxy.update({ enabled, listen: proxy.listen, upstream: proxy.upstream }).then(() => undefined);
    return this.log.apply(
      { kind: 'cut', target: link, direction: 'both', attributes: {} },
      () => setEnabled(false),
      () => setEnabled(true),
    );
  }

  /** Nothing gets through and connections stay open; on removal they carry on, and what was held is delivered. */
  blackhole(link: string, options: DirectionOption = {}): Promise<FaultHandle> {
    return this.toxic(link, 'blackhole', 'latency', { latency: HOLD_MS, jitter: 0 }, options.direction);
  }

  latency(link: string, options: { latencyMs: number; jitterMs?: number } & DirectionOption): Promise<FaultHandle> {
    checkNumber('latencyMs', options.latencyMs, 0);
    checkNumber('jitterMs', options.jitterMs ?? 0, 0);
    return this.toxic(link, 'latency', 'latency', { latency: Math.round(options.latencyMs), jitter: Math.round(options.jitterMs ?? 0) }, options.direction);
  }

  bandwidth(link: string, options: { rateKBps: number } & DirectionOption): Promise<FaultHandle> {
    checkNumber('rateKBps', options.rateKBps, 0);
    return this.toxic(link, 'bandwidth', 'bandwidth', { rate: options.rateKBps }, options.direction);
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

  /** Holds every one of `links`, both ways, as one fault of `kind` on `target` (a node's isolation). */
  async holdAll(kind: FaultKind, target: string, links: string[]): Promise<FaultHandle> {
    const proxies = await Promise.all(links.map((link) => this.proxy(link)));
    const toxics = proxies.flatMap((proxy) => (['upstream', 'downstream'] as const).map((stream) => ({ proxy, stream, name: `${kind}-${stream}-${uniq()}` })));
    return this.log.apply(
      { kind, target, direction: 'both', attributes: { links: links.join(' ') } },
      () => Promise.all(toxics.map((t) => t.proxy.addToxic({ name: t.name, type: 'latency', stream: t.stream, toxicity: 1, attributes: { latency: HOLD_MS, jitter: 0 } }))).then(() => undefined),
      () => Promise.all(toxics.map(async (t) => (await t.proxy.getToxic(t.name)).remove())).then(() => undefined),
    );
  }

  private async toxic(
    link: string,
    kind: FaultKind,
    type: ToxicType,
    attributes: Record<string, number>,
    direction: FaultDirection = 'both',
  ): Promise<FaultHandle> {
    const proxy = await this.proxy(link);
    const streams = direction === 'both' ? (['upstream', 'downstream'] as const) : ([direction] as const);
    const names = streams.map((stream) => `${kind}-${stream}-${uniq()}`);
    return this.log.apply(
      { kind, target: link, direction, attributes },
      () => Promise.all(streams.map((stream, i) => proxy.addToxic({ name: names[i]!, type, stream, toxicity: 1, attributes }))).then(() => undefined),
      () => Promise.all(names.map(async (name) => (await proxy.getToxic(name)).remove())).then(() => undefined),
    );
  }
}

let counter = 0;
function uniq(): string {
  counter += 1;
  return `${process.pid.toString(36)}${counter.toString(36)}`;
}
