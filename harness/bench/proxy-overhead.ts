// Proxy overhead: round trips and throughput between the same two containers on one internal network, through a
// Toxiproxy proxy and directly, measured by a tiny Node client in a container of the stand-in base image, locked as ours.

import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { median } from 'simple-statistics';
import { DEFAULT_POLICY, DEFAULT_TIMERS, CONFIG_ENV, type StandinConfig } from '../../images/protocol/index.js';
import { addressOn, createContainer, demux, runContainer } from '../docker/containers.js';
import { newTopologyId } from '../docker/labels.js';
import { createInternalNetwork, removeTopologyResources } from '../docker/resources.js';
import { ensureNodeBaseImage } from '../setup/images.js';
import { createProxies, startToxiproxy } from '../toxiproxy/server.js';
import { emptyOutput, type BenchContext, type FamilyOutput } from './family.js';
import { figureOf, pairedRatios } from './figures.js';
import type { ProxyClientEnv, ProxyClientOutput } from './proxy-client.js';

const ECHO_PORT = 5001;

export interface ProxyPlan {
  /** Blocks of round trips, alternating direct and proxied (A B, B A, …). */
  blocks: number;
  perBlock: number;
  /** Throughput rounds, each one transfer per path, and the bytes each transfer echoes. */
  transfers: number;
  bytes: number;
}

/** The client program (harness/bench/proxy-client.ts, as compiled), sent as text: the container holds none of ours. */
export function proxyClientProgram(): string {
  return readFileSync(fileURLToPath(new URL('./proxy-client.js', import.meta.url)), 'utf8');
}

async function runClient(ctx: BenchContext, plan: ProxyPlan): Promise<ProxyClientOutput> {
  const id = newTopologyId();
  const prefix = `cmsha-bench-proxy-${id}`;
  try {
    const [data, control] = [`${prefix}-data`, `${prefix}-ctl`];
    await createInternalNetwork(ctx.docker, data, id);
    await createInternalNetwork(ctx.docker, control, id);
    const config: StandinConfig = {
      node: 'cm',
      kind: 'echo',
      timers: { ...DEFAULT_TIMERS },
      policy: { ...DEFAULT_POLICY },
      dials: {},
      listens: [ECHO_PORT],
    };
    const echo = await runContainer(ctx.docker, {
      name: `${prefix}-echo`,
      image: ctx.images.echo,
      topologyId: id,
      node: 'cm',
      part: 'standin',
      env: { [CONFIG_ENV]: JSON.stringify(config) },
      networks: [{ name: data }],
    });
    const echoAddress = await addressOn(echo, data);
    const toxiproxy = await startToxiproxy(ctx.docker, {
      name: `${prefix}-toxiproxy`,
      image: ctx.images.toxiproxy,
      topologyId: id,
      controlNetwork: control,
      dataNetwork: data,
      readyDeadlineMs: 30_000,
    });
    const ports = await createProxies(toxiproxy, [{ name: 'bench', upstream: `${echoAddress}:${ECHO_PORT}` }]);
    const base = await ensureNodeBaseImage(ctx.docker, ctx.log);
    const client = await createContainer(ctx.docker, {
      name: `${prefix}-client`,
      image: base.tag,
      topologyId: id,
      node: 'client',
      part: 'standin',
      cmd: ['node', '--input-type=module', '-e', proxyClientProgram()],
      env: {
        BENCH_DIRECT: `${echoAddress}:${ECHO_PORT}`,
        BENCH_PROXIED: `${toxiproxy.dataAddress}:${ports.get('bench')!}`,
        BENCH_BLOCKS: String(plan.blocks),
        BENCH_PER_BLOCK: String(plan.perBlock),
        BENCH_TRANSFERS: String(plan.transfers),
        BENCH_BYTES: String(plan.bytes),
      } satisfies ProxyClientEnv,
      networks: [{ name: data }],
    });
    await client.start();
    const { StatusCode: status } = await client.wait();
    const output = demux(await client.logs({ stdout: true, stderr: true, follow: false }));
    if (status !== 0) throw new Error(`the proxy client exited with ${status}: ${output.slice(-400)}`);
    return JSON.parse(output.trim().split('\n').at(-1)!) as ProxyClientOutput;
  } finally {
    await removeTopologyResources(ctx.docker, id);
  }
}

export async function measureProxyOverhead(ctx: BenchContext, plan: ProxyPlan): Promise<FamilyOutput> {
  const out = emptyOutput();
  const { rtt, mbps } = await runClient(ctx, plan);
  const command = `node -e <harness/bench/proxy-client.ts> in a container of the stand-in base image on the data network: ${plan.blocks} blocks × ${plan.perBlock} one-byte round trips per path, then ${plan.transfers} × ${plan.bytes / 1e6} MB echoed per path, paths taking turns`;
  out.measurements.push(
    {
      id: 'proxy-rtt',
      title: 'Round trip, through Toxiproxy and direct',
      description: 'One byte to an echo and back over a kept connection.',
      unit: 'ms',
    },
    {
      id: 'proxy-added',
      title: 'Latency the proxy adds',
      description: 'Per block: the median round trip through the proxy minus the median direct one in the neighbouring block.',
      unit: 'ms',
      limit: { value: 1, label: '1 ms' },
    },
    {
      id: 'proxy-throughput',
      title: 'Throughput, through Toxiproxy and direct',
      description: 'Bytes echoed back per second (each byte crosses twice).',
      unit: 'MB/s',
    },
    { id: 'proxy-throughput-ratio', title: 'Throughput, proxied ÷ direct', description: 'Per round, neighbouring transfers.', unit: '×' },
  );
  const blockMedians = (blocks: number[][]) => blocks.map((b) => median(b));
  const added = blockMedians(rtt.proxied).map((p, i) => p - blockMedians(rtt.direct)[i]!);
  out.figures.push(
    figureOf({ id: 'proxy-rtt.direct', measurement: 'proxy-rtt', label: 'direct', unit: 'ms', command }, rtt.direct.flat()),
    figureOf({ id: 'proxy-rtt.proxied', measurement: 'proxy-rtt', label: 'through Toxiproxy', unit: 'ms', command }, rtt.proxied.flat()),
    figureOf({ id: 'proxy-added.p50', measurement: 'proxy-added', label: 'added at p50 (per block)', unit: 'ms', command }, added),
    figureOf({ id: 'proxy-throughput.direct', measurement: 'proxy-throughput', label: 'direct', unit: 'MB/s', command }, mbps.direct),
    figureOf(
      { id: 'proxy-throughput.proxied', measurement: 'proxy-throughput', label: 'through Toxiproxy', unit: 'MB/s', command },
      mbps.proxied,
    ),
    figureOf(
      {
        id: 'proxy-throughput-ratio.proxied-direct',
        measurement: 'proxy-throughput-ratio',
        label: 'through Toxiproxy ÷ direct',
        unit: '×',
        command,
      },
      pairedRatios(mbps.proxied, mbps.direct),
    ),
  );
  return out;
}
