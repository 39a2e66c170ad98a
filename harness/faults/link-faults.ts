// Link faults as Toxiproxy sees them: cut disables the proxy (refused/reset connections), the others
// are toxics on one direction or both. Each returns a handle whose remove() heals exactly what it added.

import type { Proxy, Toxiproxy } from 'toxiproxy-node-client';
import { HarnessError } from '../core/errors.js';
import type { FaultDirection, FaultHandle, FaultLog } from './fault-log.js';

type ToxicType = 'timeout' | 'latency' | 'bandwidth' | 'reset_peer' | 'slicer' | 'limit_data';

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
    private readonly toxiproxy: Toxiproxy,
    private readonly links: ReadonlySet<string>,
    private readonly log: FaultLog,
  ) {}

  private async proxy(link: string): Promise<Proxy> {
    if (!this.links.has(link)) {
      throw new HarnessError('BAD_INPUT', `Unknown link "${link}". Links of this topology: ${[...this.links].join(', ')}.`, {
        details: { link },
      });
    }
    return this.toxiproxy.get(link);
  }

  /** The proxy is disabled: its listener closes and open connections are closed, so the dialler sees refused/reset. */
  async cut(link: string): Promise<FaultHandle> {
    const proxy = await this.proxy(link);
    const setEnabled = async (enabled: boolean) => {
      await proxy.update({ enabled, listen: proxy.listen, upstream: proxy.upstream });
    };
    return this.log.apply(
      'cut',
      link,
      'both',
      {},
      () => setEnabled(false),
      () => setEnabled(true),
    );
  }

  /** Connections stay open, data is dropped (Toxiproxy timeout toxic with timeout 0). */
  blackhole(link: string, options: DirectionOption = {}): Promise<FaultHandle> {
    return this.toxic(link, 'blackhole', 'timeout', { timeout: 0 }, options.direction);
  }

  latency(link: string, options: { latencyMs: number; jitterMs?: number } & DirectionOption): Promise<FaultHandle> {
    checkNumber('latencyMs', options.latencyMs, 0);
    checkNumber('jitterMs', options.jitterMs ?? 0, 0);
    return this.toxic(link, 'latency', 'latency', { latency: options.latencyMs, jitter: options.jitterMs ?? 0 }, options.direction);
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

  private async toxic(
    link: string,
    kind: 'blackhole' | 'latency' | 'bandwidth' | 'reset-peer' | 'slicer' | 'limit-data',
    type: ToxicType,
    attributes: Record<string, number>,
    direction: FaultDirection = 'both',
  ): Promise<FaultHandle> {
    const proxy = await this.proxy(link);
    const streams = direction === 'both' ? (['upstream', 'downstream'] as const) : ([direction] as const);
    const names = streams.map((stream) => `${kind}-${stream}-${process.hrtime.bigint().toString(36)}`);
    const add = async () => {
      await Promise.all(streams.map((stream, i) => proxy.addToxic({ name: names[i]!, type, stream, toxicity: 1, attributes })));
    };
    const remove = async () => {
      await Promise.all(names.map(async (name) => (await proxy.getToxic(name)).remove()));
    };
    return this.log.apply(kind, link, direction, attributes, add, remove);
  }
}
