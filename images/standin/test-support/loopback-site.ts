// Runs a whole CMS HA site of stand-in processes on loopback (no Docker, no proxies: each dial points at the
// peer directly), with ports remapped through `portOverrides`. For the program's own smoke tests.

import { spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import {
  CONFIG_ENV,
  DEFAULT_POLICY,
  PORTS,
  type ControlRequest,
  type Dial,
  type LinkName,
  type NodeName,
  type Policy,
  type StandinEvent,
  type StandinKind,
  type StandinStatus,
  type Timers,
} from '../../protocol/index.js';
import type { LocalConfig } from '../config.js';

const MAIN = fileURLToPath(new URL('../main.js', import.meta.url));

/** Fast timers so a whole scenario takes seconds. */
export const FAST_TIMERS: Timers = {
  heartbeatIntervalMs: 300,
  heartbeatTimeoutMs: 100,
  heartbeatMisses: 3,
  linkRetryMs: 300,
  mainAttempts: 5,
  essAttempts: 2,
  keepaliveIntervalMs: 200,
  keepaliveMisses: 3,
  pumpupMs: 100,
  essNoServiceTimeoutMs: 1_500,
  essResetMs: 500,
  acdEventRateHz: 20,
};

const OFFSETS: Record<NodeName, number> = { cm: 0, ess: 10, 'cms-primary': 20, 'cms-secondary': 30, supervisor: 40 };
const KIND: Record<NodeName, StandinKind> = {
  cm: 'cm',
  ess: 'ess',
  'cms-primary': 'cms',
  'cms-secondary': 'cms',
  supervisor: 'supervisor',
};
const LISTENS: Record<NodeName, number[]> = {
  cm: [PORTS.acdPrimary, PORTS.acdSecondary, PORTS.essCm],
  ess: [PORTS.acdPrimary, PORTS.acdSecondary],
  'cms-primary': [PORTS.heartbeat, PORTS.client],
  'cms-secondary': [PORTS.adminSync, PORTS.client],
  supervisor: [],
};
const NOMINAL = [PORTS.control, PORTS.acdPrimary, PORTS.acdSecondary, PORTS.essCm, PORTS.heartbeat, PORTS.adminSync, PORTS.client];

export class LoopbackSite {
  readonly procs = new Map<NodeName, ChildProcess>();
  readonly output = new Map<NodeName, string[]>();

  /**
   * A base for the ports of one site, 20_000..32_700: below Linux's ephemeral range (32_768 up), where the client
   * side of any connection on the host (another node dialling a peer) could hold a port before its node binds it.
   */
  static randomBase(): number {
    return 20_000 + Math.floor(Math.random() * 127) * 100;
  }

  constructor(
    readonly base: number,
    readonly timers: Timers = FAST_TIMERS,
    readonly policy: Policy = { ...DEFAULT_POLICY },
  ) {}

  port(node: NodeName, nominal: number): number {
    return this.base + OFFSETS[node] + NOMINAL.indexOf(nominal as never);
  }

  config(node: NodeName): LocalConfig {
    const at = (peer: NodeName, nominal: number): Dial => ({ host: '127.0.0.1', port: this.port(peer, nominal) });
    const all: Partial<Record<LinkName, Dial>> = {
      'acd-primary': at('cm', PORTS.acdPrimary),
      'acd-secondary': at('cm', PORTS.acdSecondary),
      'acd-primary-ess': at('ess', PORTS.acdPrimary),
      'acd-secondary-ess': at('ess', PORTS.acdSecondary),
      heartbeat: at('cms-primary', PORTS.heartbeat),
      'admin-sync': at('cms-secondary', PORTS.adminSync),
      'ess-cm': at('cm', PORTS.essCm),
      'client-primary': at('cms-primary', PORTS.client),
      'client-secondary': at('cms-secondary', PORTS.client),
    };
    const mine: Record<NodeName, LinkName[]> = {
      cm: [],
      ess: ['ess-cm'],
      'cms-primary': ['acd-primary', 'acd-primary-ess', 'admin-sync'],
      'cms-secondary': ['acd-secondary', 'acd-secondary-ess', 'heartbeat'],
      supervisor: ['client-primary', 'client-secondary'],
    };
    const dials: Partial<Record<LinkName, Dial>> = {};
    for (const l of mine[node]) dials[l] = all[l];
    const portOverrides: Record<string, number> = {};
    for (const p of NOMINAL) portOverrides[String(p)] = this.port(node, p);
    return {
      node,
      kind: KIND[node],
      timers: this.timers,
      policy: this.policy,
      dials,
      listens: LISTENS[node],
      portOverrides,
      bindHost: '127.0.0.1',
    };
  }

  start(node: NodeName, config: unknown = this.config(node)): ChildProcess {
    const child = spawn(process.execPath, [MAIN], {
      env: { ...process.env, [CONFIG_ENV]: JSON.stringify(config) },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const out: string[] = [];
    this.output.set(node, out);
    child.stdout?.setEncoding('utf8').on('data', (d: string) => out.push(d));
    child.stderr?.setEncoding('utf8').on('data', (d: string) => out.push(d));
    this.procs.set(node, child);
    return child;
  }

  kill(node: NodeName, signal: NodeJS.Signals = 'SIGKILL'): Promise<void> {
    const child = this.procs.get(node);
    this.procs.delete(node);
    if (child === undefined || child.exitCode !== null) return Promise.resolve();
    return new Promise((resolve) => {
      child.once('exit', () => resolve());
      child.kill(signal);
    });
  }

  async stopAll(): Promise<void> {
    await Promise.all([...this.procs.keys()].map((n) => this.kill(n)));
  }

  private url(node: NodeName, path: string): string {
    return `http://127.0.0.1:${this.port(node, PORTS.control)}${path}`;
  }

  async status(node: NodeName): Promise<StandinStatus> {
    return (await (await fetch(this.url(node, '/status'))).json()) as StandinStatus;
  }

  async events(node: NodeName, after = 0): Promise<StandinEvent[]> {
    return ((await (await fetch(this.url(node, `/events?after=${after}`))).json()) as { events: StandinEvent[] }).events;
  }

  async control(node: NodeName, body: ControlRequest | string): Promise<{ code: number; body: Record<string, unknown> }> {
    const r = await fetch(this.url(node, '/control'), { method: 'POST', body: typeof body === 'string' ? body : JSON.stringify(body) });
    return { code: r.status, body: (await r.json()) as Record<string, unknown> };
  }

  /** Polls `probe` until it returns a value other than undefined/false, up to a monotonic deadline. */
  async until<T>(label: string, probe: () => Promise<T | undefined | false>, timeoutMs = 5_000): Promise<T> {
    const deadline = performance.now() + timeoutMs;
    let last: unknown;
    for (let waitMs = 10; ; waitMs = Math.min(waitMs * 2, 100)) {
      try {
        const v = await probe();
        if (v !== undefined && v !== false) return v;
        last = v;
      } catch (error) {
        last = error;
      }
      if (performance.now() >= deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${label}; last: ${String(last)}`);
      await new Promise((r) => setTimeout(r, waitMs));
    }
  }
}
