// Site up and site down, side by side: each peer starts the same site and waits for the sunny day, then removes it
// until the engine shows nothing of it left; peers take turns within each round, so every ratio is of neighbours.

import type { NodeName } from '../../images/protocol/index.js';
import { notYet, waitFor } from '../core/poll.js';
import { scaleSite, DEFAULT_SITE } from '../core/site-config.js';
import type { DockerClient } from '../docker/client.js';
import { LABEL_TOPOLOGY } from '../docker/labels.js';
import { ignoreGone } from '../docker/resources.js';
import { ControlClient } from '../observe/control-client.js';
import { waitSunnyDay } from '../observe/sunny-day.js';
import { EngineEvents } from './engine-events.js';
import { emptyOutput, wallMs, type BenchContext, type FamilyOutput } from './family.js';
import { figureOf, pairedRatios, type Figure, type Measurement } from './figures.js';
import { topologyMemory, type TopologyMemory } from './memory.js';
import type { Peer, PeerId, RunningSite } from './peer.js';

/** What one turn of one peer measured, in wall-clock ms. */
export interface Turn {
  peer: PeerId;
  round: number;
  topologyId: string;
  startMs: number;
  begunMs: number;
  steadyMs: number;
  downMs: number;
  downReturnedMs: number;
  goneMs: number;
  memory: TopologyMemory | null;
}

/** What a site leaves on the engine, taken while it runs: all of it must be gone after its removal. */
interface Resources {
  topologyId: string;
  networks: string[];
  volumes: string[];
}

async function resourcesOf(docker: DockerClient, site: RunningSite): Promise<Resources> {
  const filter = { label: [`${LABEL_TOPOLOGY}=${site.topologyId}`] };
  const [containers, networks] = await Promise.all([
    docker.listContainers({ all: true, filters: filter }),
    docker.listNetworks({ filters: filter }),
  ]);
  return {
    topologyId: site.topologyId,
    networks: [...networks.map((n) => n.Id), ...site.unlabelledNetworks],
    volumes: containers.flatMap((c) => (c.Mounts ?? []).filter((m) => m.Type === 'volume' && m.Name).map((m) => m.Name!)),
  };
}

/** What is still there of a site: its labelled containers and networks, its unlabelled networks, its volumes. */
export async function leftOf(docker: DockerClient, r: Resources): Promise<string[]> {
  const filter = { label: [`${LABEL_TOPOLOGY}=${r.topologyId}`] };
  const [containers, networks] = await Promise.all([
    docker.listContainers({ all: true, filters: filter }),
    docker.listNetworks({ filters: filter }),
  ]);
  const exists = async (what: Promise<unknown>) => (await ignoreGone(what)) !== undefined;
  const unlabelled = await Promise.all(
    r.networks.map(async (id) => ((await exists(docker.getNetwork(id).inspect())) ? [`network ${id.slice(0, 12)}`] : [])),
  );
  const volumes = await Promise.all(
    r.volumes.map(async (name) => ((await exists(docker.getVolume(name).inspect())) ? [`volume ${name.slice(0, 12)}`] : [])),
  );
  return [
    ...containers.map((c) => `container ${c.Names[0] ?? c.Id}`),
    ...networks.map((n) => `network ${n.Name}`),
    ...unlabelled.flat(),
    ...volumes.flat(),
  ];
}

async function waitGone(docker: DockerClient, r: Resources): Promise<void> {
  await waitFor(
    async () => {
      const left = await leftOf(docker, r);
      return left.length === 0 || notYet(`${left.length} left: ${left.slice(0, 4).join(', ')}`);
    },
    { deadlineMs: 30_000, label: `every resource of topology ${r.topologyId} to be gone`, intervalsMs: [5, 10, 20, 50] },
  );
}

/** One peer's turn: up to the sunny day, then down to nothing left. A failed turn still removes what it made. */
async function turn(ctx: BenchContext, peer: Peer, round: number): Promise<Turn> {
  const timers = scaleSite(DEFAULT_SITE, ctx.timeScale).timers;
  const startMs = wallMs();
  const site = await peer.up();
  let removed = false;
  try {
    const begunMs = wallMs();
    const clients = new Map([...site.controlUrls].map(([node, url]) => [node, new ControlClient(node, url)]));
    await waitSunnyDay((node: NodeName) => clients.get(node)!.status({ timeoutMs: 1_000 }), timers);
    const steadyMs = wallMs();
    const resources = await resourcesOf(ctx.docker, site);
    const memory = peer.id === 'ours' ? await topologyMemory(ctx.docker, site.topologyId) : null;
    const downMs = wallMs();
    removed = true;
    await site.down();
    const downReturnedMs = wallMs();
    await waitGone(ctx.docker, resources);
    return {
      peer: peer.id,
      round,
      topologyId: site.topologyId,
      startMs,
      begunMs,
      steadyMs,
      downMs,
      downReturnedMs,
      goneMs: wallMs(),
      memory,
    };
  } finally {
    if (!removed) await site.down().catch(() => undefined);
  }
}

/** Every container the engine reported created for the topology is reported destroyed (none created: nothing to wait for). */
function destroyedAll(events: EngineEvents, topologyId: string): true | ReturnType<typeof notYet> {
  const count = (action: string) => events.events.filter((e) => e.topology === topologyId && e.action === action).length;
  const [created, destroyed] = [count('create'), count('destroy')];
  return destroyed >= created ? true : notYet(`${destroyed} of ${created} containers reported destroyed`);
}

/** The peers in a different order each round (A B C D, B C D A, …): no peer always follows the same one. */
export function turnOrder<T>(peers: readonly T[], round: number): T[] {
  const k = round % Math.max(1, peers.length);
  return [...peers.slice(k), ...peers.slice(0, k)];
}

export interface SiteSpeedOptions {
  peers: Peer[];
  rounds: number;
  /** An untimed first round (first-use costs: a client's start-up, the engine's caches). */
  warmUp: boolean;
}

export async function measureSiteSpeed(ctx: BenchContext, options: SiteSpeedOptions): Promise<FamilyOutput> {
  const out = emptyOutput();
  const events = await EngineEvents.follow(ctx.docker);
  const turns: Turn[] = [];
  try {
    const first = options.warmUp ? -1 : 0;
    for (let round = first; round < options.rounds; round += 1) {
      for (const peer of turnOrder(options.peers, Math.max(0, round))) {
        ctx.log(`site up/down: ${peer.label}, ${round < 0 ? 'warm-up' : `round ${round + 1} of ${options.rounds}`}`);
        try {
          const t = await turn(ctx, peer, round);
          if (round >= 0) turns.push(t);
        } catch (error) {
          out.notes.push(`site up/down: ${peer.label} failed in round ${round + 1}: ${(error as Error).message}`);
        }
      }
    }
    // The breakdown is read from the engine's events: wait until the last teardown's have all arrived.
    const last = turns.at(-1);
    if (last)
      await waitFor(() => destroyedAll(events, last.topologyId), { deadlineMs: 5_000, label: 'the engine events of the last teardown' });
  } finally {
    events.stop();
  }
  return speedFigures(options.peers, turns, events, out);
}

/** The phases of a start and a stop, from our instants and the engine's events (ms). */
export function phasesOf(t: Turn, events: Pick<EngineEvents, 'span'>): { up: Record<string, number>; down: Record<string, number> } {
  const created = events.span(t.topologyId, 'create');
  const started = events.span(t.topologyId, 'start');
  const destroyed = events.span(t.topologyId, 'destroy');
  const up: Record<string, number> = {};
  if (created && started) {
    up['until the first container is created'] = created.firstMs - t.startMs;
    up['containers created and started'] = started.lastMs - created.firstMs;
    up['until every node answers and has begun'] = t.begunMs - started.lastMs;
  } else {
    up['until every node answers and has begun'] = t.begunMs - t.startMs;
  }
  up['the protocol to the sunny day'] = t.steadyMs - t.begunMs;
  const down: Record<string, number> = {};
  if (destroyed) {
    down['until the first container is destroyed'] = destroyed.firstMs - t.downMs;
    down['containers destroyed'] = destroyed.lastMs - destroyed.firstMs;
    down['until the call returns'] = t.downReturnedMs - destroyed.lastMs;
  } else {
    down['until the call returns'] = t.downReturnedMs - t.downMs;
  }
  down['until the engine shows nothing left'] = t.goneMs - t.downReturnedMs;
  return { up, down };
}

/** When each step of a start was reached, in ms from the start call: shows which steps wait for which. */
export function milestonesOf(t: Turn, events: Pick<EngineEvents, 'span'>): Record<string, number> {
  const at = (span: { firstMs: number; lastMs: number } | null, which: 'firstMs' | 'lastMs') =>
    span ? { value: span[which] - t.startMs } : null;
  const steps: Array<[string, { value: number } | null]> = [
    ['Toxiproxy created', at(events.span(t.topologyId, 'create', 'toxiproxy'), 'firstMs')],
    ['Toxiproxy started', at(events.span(t.topologyId, 'start', 'toxiproxy'), 'lastMs')],
    ['first holder created', at(events.span(t.topologyId, 'create', 'holder'), 'firstMs')],
    ['last holder started', at(events.span(t.topologyId, 'start', 'holder'), 'lastMs')],
    ['first stand-in created', at(events.span(t.topologyId, 'create', 'standin'), 'firstMs')],
    ['last stand-in started', at(events.span(t.topologyId, 'start', 'standin'), 'lastMs')],
    ['every node answered and begun', { value: t.begunMs - t.startMs }],
    ['sunny day', { value: t.steadyMs - t.startMs }],
  ];
  return Object.fromEntries(steps.flatMap(([name, v]) => (v ? [[name, v.value]] : [])));
}

const SPEED_MEASUREMENTS: Measurement[] = [
  {
    id: 'site-up',
    title: 'Site up',
    description: 'From the start call to the sunny day: every CMS link in data transfer, the supervisor logged in.',
    unit: 'ms',
  },
  {
    id: 'site-up-ratio',
    title: 'Site up, ratios of neighbours',
    description: 'Each round’s time of one peer divided by the other’s in the same round.',
    unit: '×',
  },
  {
    id: 'site-up-phases',
    title: 'Site up, where the time goes',
    description: 'Phases from our instants and the engine’s container events.',
    unit: 'ms',
  },
  {
    id: 'site-up-milestones',
    title: 'Site up, when each step was reached',
    description: 'From the start call, by the engine’s create and start events of each part and our own instants: what waits for what.',
    unit: 'ms',
  },
  {
    id: 'site-down',
    title: 'Site down',
    description: 'From the removal call until the engine shows no container, network or volume of the site.',
    unit: 'ms',
  },
  {
    id: 'site-down-ratio',
    title: 'Site down, ratios of neighbours',
    description: 'Each round’s time of one peer divided by the other’s in the same round.',
    unit: '×',
  },
  {
    id: 'site-down-phases',
    title: 'Site down, where the time goes',
    description: 'Phases from our instants and the engine’s container events.',
    unit: 'ms',
  },
];

const upMs = (t: Turn) => t.steadyMs - t.startMs;
const downMs = (t: Turn) => t.goneMs - t.downMs;

/** One figure per named step, from a record of steps per turn (a step a turn lacks is left out of its samples). */
function stepFigures(records: Array<Record<string, number>>, idPrefix: string, measurement: string, p: Peer): Figure[] {
  return Object.keys(records[0] ?? {}).map((step) =>
    figureOf(
      { id: `${idPrefix}.${slug(step)}`, measurement, label: `${p.label}: ${step}`, unit: 'ms', command: upCommand(p) },
      records.map((r) => r[step]).filter((v): v is number => v !== undefined),
    ),
  );
}

function upCommand(p: Peer): string {
  return `${p.upCommand}; then waitSunnyDay(status of each node over its control URL)`;
}

function peerFigures(p: Peer, mine: Turn[], events: EngineEvents): Figure[] {
  const phases = mine.map((t) => phasesOf(t, events));
  return [
    figureOf({ id: `site-up.${p.id}`, measurement: 'site-up', label: p.label, unit: 'ms', command: upCommand(p) }, mine.map(upMs)),
    figureOf({ id: `site-down.${p.id}`, measurement: 'site-down', label: p.label, unit: 'ms', command: p.downCommand }, mine.map(downMs)),
    ...stepFigures(
      mine.map((t) => milestonesOf(t, events)),
      `site-up-milestones.${p.id}`,
      'site-up-milestones',
      p,
    ),
    ...stepFigures(
      phases.map((ph) => ph.up),
      `site-up-phases.${p.id}`,
      'site-up-phases',
      p,
    ),
    ...stepFigures(
      phases.map((ph) => ph.down),
      `site-down-phases.${p.id}`,
      'site-down-phases',
      p,
    ),
  ];
}

/** Ratios of two peers' turns in the same rounds, up and down. */
function ratioFigures(a: Peer, b: Peer, turns: Turn[]): Figure[] {
  const pairs = pairUp(
    turns.filter((t) => t.peer === a.id),
    turns.filter((t) => t.peer === b.id),
  );
  if (pairs.length === 0) return [];
  return (['up', 'down'] as const).map((kind) => {
    const value = kind === 'up' ? upMs : downMs;
    const ratios = pairedRatios(
      pairs.map(([x]) => value(x)),
      pairs.map(([, y]) => value(y)),
    );
    return figureOf(
      {
        id: `site-${kind}-ratio.${a.id}-${b.id}`,
        measurement: `site-${kind}-ratio`,
        label: `${a.label} ÷ ${b.label}`,
        unit: '×',
        command: `site ${kind}: ${a.id} ÷ ${b.id}, per round`,
      },
      ratios,
    );
  });
}

const RATIO_PAIRS: ReadonlyArray<[PeerId, PeerId]> = [
  ['ours', 'compose'],
  ['ours', 'testcontainers'],
  ['ours', 'floor'],
  ['compose', 'floor'],
  ['testcontainers', 'floor'],
];

function speedFigures(peers: Peer[], turns: Turn[], events: EngineEvents, out: FamilyOutput): FamilyOutput {
  out.measurements.push(...SPEED_MEASUREMENTS);
  for (const p of peers) {
    const mine = turns.filter((t) => t.peer === p.id);
    if (mine.length > 0) out.figures.push(...peerFigures(p, mine, events));
  }
  for (const [a, b] of RATIO_PAIRS) {
    const [peerA, peerB] = [peers.find((p) => p.id === a), peers.find((p) => p.id === b)];
    if (peerA && peerB) out.figures.push(...ratioFigures(peerA, peerB, turns));
  }
  const memory = turns.filter((t) => t.peer === 'ours').flatMap((t) => (t.memory ? [t.memory] : []));
  if (memory.length > 0) out.measurements.push(...memoryFigures(memory, out.figures));
  return out;
}

/** Turns of two peers in the same round. */
function pairUp(a: Turn[], b: Turn[]): Array<[Turn, Turn]> {
  return a.flatMap((x) => {
    const y = b.find((t) => t.round === x.round);
    return y ? [[x, y] as [Turn, Turn]] : [];
  });
}

function memoryFigures(memory: TopologyMemory[], figures: Figure[]): Measurement[] {
  const command = 'engine stats (one-shot) of every container of a running topology (ours, at the sunny day): RSS summed';
  const rows: Array<[string, string, (m: TopologyMemory) => number]> = [
    ['total', 'whole topology (11 containers)', (m) => m.totalMiB],
    ['standins', '5 stand-ins', (m) => m.standinsMiB],
    ['holders', '5 holders', (m) => m.holdersMiB],
    ['toxiproxy', 'Toxiproxy', (m) => m.toxiproxyMiB],
  ];
  for (const [id, label, pick] of rows)
    figures.push(figureOf({ id: `memory.${id}`, measurement: 'memory', label, unit: 'MiB', command }, memory.map(pick)));
  return [
    {
      id: 'memory',
      title: 'Memory per running topology',
      description: 'Resident memory from the engine’s stats, at the sunny day.',
      unit: 'MiB',
    },
  ];
}

function slug(text: string): string {
  return text
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-|-$/g, '');
}
