// Fault bite: from a fault call returning to its effect seen from outside, through the link's proxy: a cut or a kill
// closes the connection, a blackhole or a pause leaves the next byte unanswered, a latency delays it. Healed between.

import type { LinkName } from '../../images/protocol/index.js';
import { nowNs } from '../core/clock.js';
import { waitFor } from '../core/poll.js';
import { DEFAULT_SITE, scaleSite } from '../core/site-config.js';
import type { FaultHandle } from '../faults/fault-log.js';
import { cmsHaTopology } from '../topology/cms-ha.js';
import { Topology, type StartedTopology } from '../topology/topology.js';
import { EchoProbe } from './echo-probe.js';
import { emptyOutput, type BenchContext, type FamilyOutput } from './family.js';
import { figureOf } from './figures.js';

/** The latency added by the latency fault; its effect is a round trip at least this long. */
export const BITE_LATENCY_MS = 50;
/** An echo unanswered this long counts as silence (a round trip here takes well under a millisecond). */
export const SILENCE_MS = 100;
const EFFECT_DEADLINE_MS = 3_000;

type Effect = 'closed' | 'silent' | 'slow';

export interface BiteKind {
  kind: 'cut' | 'blackhole' | 'latency' | 'kill' | 'pause';
  /** The link whose proxy the probe goes through (for a node fault: a link to that node). */
  link: LinkName;
  effect: Effect;
  /** The effect, in words, for bench.json. */
  seen: string;
  apply(site: StartedTopology): Promise<FaultHandle>;
}

export const BITE_KINDS: readonly BiteKind[] = [
  {
    kind: 'cut',
    link: 'acd-primary',
    effect: 'closed',
    seen: 'the connection through the proxy closed or reset',
    apply: (s) => s.links.cut('acd-primary'),
  },
  {
    kind: 'blackhole',
    link: 'acd-secondary',
    effect: 'silent',
    seen: `the first byte unanswered for ${SILENCE_MS} ms, from when it was sent`,
    apply: (s) => s.links.blackhole('acd-secondary'),
  },
  {
    kind: 'latency',
    link: 'heartbeat',
    effect: 'slow',
    seen: `the first round trip of ${BITE_LATENCY_MS} ms or more, from when it was sent`,
    apply: (s) => s.links.latency('heartbeat', { latencyMs: BITE_LATENCY_MS }),
  },
  {
    kind: 'kill',
    link: 'acd-primary-ess',
    effect: 'closed',
    seen: 'the connection through the node’s proxy closed or reset',
    apply: (s) => s.nodes.kill('ess'),
  },
  {
    kind: 'pause',
    link: 'admin-sync',
    effect: 'silent',
    seen: `the first byte to the node unanswered for ${SILENCE_MS} ms, from when it was sent`,
    apply: (s) => s.nodes.pause('cms-secondary'),
  },
];

/** A fresh connection through the link's proxy that answers an echo (after a heal, the node may still be starting). */
async function openAnswering(host: string, port: number): Promise<EchoProbe> {
  const { value } = await waitFor(
    async () => {
      const probe = await EchoProbe.open(host, port).catch(() => undefined);
      if (!probe) return undefined;
      if ((await probe.echo(1_000)).kind === 'answered') return probe;
      probe.close();
      return undefined;
    },
    { deadlineMs: 10_000, label: `an echo through ${host}:${port}`, intervalsMs: [5, 20, 50] },
  );
  return value;
}

/** Echoes until the effect shows; resolves with the instant it is attributed to. */
export async function effectSeen(probe: EchoProbe, effect: Effect): Promise<bigint> {
  const deadline = nowNs() + BigInt(EFFECT_DEADLINE_MS) * 1_000_000n;
  while (nowNs() < deadline) {
    const result = await probe.echo(effect === 'silent' ? SILENCE_MS : 1_000);
    if (effect === 'closed' && result.kind === 'closed') return probe.closedNs!;
    if (effect === 'silent' && result.kind === 'timeout') return probe.sentNs;
    if (effect === 'slow' && result.kind === 'answered' && result.rttMs >= BITE_LATENCY_MS) return probe.sentNs;
    if (result.kind === 'closed' && effect !== 'closed') throw new Error(`the connection closed instead of going ${effect}`);
  }
  throw new Error(`no ${effect} effect within ${EFFECT_DEADLINE_MS} ms`);
}

export interface Bite {
  biteMs: number;
  /** From the start of the fault call to the effect: the call's own duration shows here. */
  fromCallMs: number;
  /** The effect was already there when the call returned (counted as 0). */
  early: boolean;
  /** A fresh connection right after remove() resolved answered at once (the heal was in effect). */
  healedOnReturn: boolean;
}

export async function oneBite(site: StartedTopology, kind: BiteKind): Promise<Bite> {
  const { host, port } = site.proxyAddress(kind.link);
  const probe = await openAnswering(host, port);
  let handle: FaultHandle | undefined;
  try {
    handle = await kind.apply(site);
    const returnedNs = nowNs();
    const effectNs = await effectSeen(probe, kind.effect);
    const rawMs = Number(effectNs - returnedNs) / 1e6;
    probe.close();
    await handle.remove();
    const after = await EchoProbe.open(host, port, 1_000).catch(() => null);
    const healedOnReturn = after !== null && (await after.echo(1_000)).kind === 'answered';
    after?.close();
    return { biteMs: Math.max(0, rawMs), fromCallMs: Number(effectNs - handle.appliedNs) / 1e6, early: rawMs < 0, healedOnReturn };
  } finally {
    probe.close();
    await handle?.remove();
  }
}

/** A link no fault of the bite touches: the reference for what heals leave behind. */
const UNTOUCHED_LINK: LinkName = 'client-primary';

async function roundTrips(site: StartedTopology, link: LinkName, count: number): Promise<number[]> {
  const { host, port } = site.proxyAddress(link);
  const probe = await openAnswering(host, port);
  const rtts: number[] = [];
  try {
    for (let i = 0; i < count; i += 1) {
      const result = await probe.echo(1_000);
      if (result.kind === 'answered') rtts.push(result.rttMs);
    }
  } finally {
    probe.close();
  }
  return rtts;
}

export async function measureFaultBite(ctx: BenchContext, kinds: readonly BiteKind[], count: number): Promise<FamilyOutput> {
  const out = emptyOutput();
  const site = await new Topology(cmsHaTopology({ name: 'bench-bite', image: 'echo', timeScale: ctx.timeScale })).start({
    docker: ctx.docker,
    images: ctx.images,
  });
  const rounds = new Map<BiteKind, { bites: Bite[]; failures: string[] }>(kinds.map((k) => [k, { bites: [], failures: [] }]));
  const residue = new Map<LinkName, number[]>();
  try {
    // Kinds take turns (cut, blackhole, …, cut, …): a slow moment of the machine falls on every kind alike.
    for (let i = 0; i < count; i += 1) {
      if (i % 10 === 0) ctx.log(`fault bite: round ${i + 1} of ${count} (${kinds.map((k) => k.kind).join(', ')})`);
      for (const kind of kinds) {
        const mine = rounds.get(kind)!;
        await oneBite(site, kind).then(
          (bite) => mine.bites.push(bite),
          (error: Error) => mine.failures.push(error.message),
        );
      }
    }
    for (const link of [...kinds.map((k) => k.link), UNTOUCHED_LINK]) residue.set(link, await roundTrips(site, link, 300));
  } finally {
    await site.stop();
  }
  for (const [kind, { bites, failures }] of rounds) addBiteFigures(out, kind, bites, failures);
  out.measurements.unshift(
    {
      id: 'fault-bite',
      title: 'Fault bite',
      description: 'From the fault call returning to its effect seen through the link’s proxy (an effect already there counts 0).',
      unit: 'ms',
      limit: { value: 0.02 * scaleSite(DEFAULT_SITE, ctx.timeScale).timers.heartbeatIntervalMs, label: '2% of the heartbeat interval' },
    },
    {
      id: 'fault-call',
      title: 'Fault call to effect',
      description:
        'From the start of the fault call (the instant fault windows are anchored on) to its effect: the call’s own duration shows here.',
      unit: 'ms',
    },
  );
  addResidueFigures(out, kinds, residue, count);
  return out;
}

function addBiteFigures(out: FamilyOutput, kind: BiteKind, bites: Bite[], failures: string[]): void {
  const early = bites.filter((b) => b.early).length;
  const unhealed = bites.filter((b) => !b.healedOnReturn).length;
  const on = kind.kind === 'kill' || kind.kind === 'pause' ? 'nodes' : 'links';
  out.figures.push(
    figureOf(
      {
        id: `fault-bite.${kind.kind}`,
        measurement: 'fault-bite',
        label: kind.kind,
        unit: 'ms',
        command: `StartedTopology.${on}.${kind.kind}(…) on the echo topology; probe: one-byte echoes through the ${kind.link} proxy until ${kind.seen}; FaultHandle.remove() between`,
        note: `${early} of ${bites.length} already in effect when the call returned; ${unhealed} not healed when remove() resolved${failures.length > 0 ? `; ${failures.length} failed: ${failures[0]}` : ''}`,
      },
      bites.map((b) => b.biteMs),
    ),
    figureOf(
      {
        id: `fault-call.${kind.kind}`,
        measurement: 'fault-call',
        label: kind.kind,
        unit: 'ms',
        command: `as fault-bite.${kind.kind}, from FaultHandle.appliedNs`,
      },
      bites.map((b) => b.fromCallMs),
    ),
  );
  if (unhealed > 0)
    out.notes.push(
      `fault bite: after ${unhealed} of ${bites.length} ${kind.kind} heals, a fresh connection through ${kind.link} did not answer at once: remove() resolved before the heal was in effect.`,
    );
  if (failures.length > 0) out.notes.push(`fault bite: ${failures.length} ${kind.kind} faults showed no effect: ${failures[0]}`);
}

/** Round trips through each faulted link after its heals, beside an untouched one: what healed faults leave behind. */
function addResidueFigures(out: FamilyOutput, kinds: readonly BiteKind[], residue: Map<LinkName, number[]>, count: number): void {
  out.measurements.push({
    id: 'heal-residue',
    title: 'Round trip through each link once its faults were healed',
    description: `After ${count} faults of each kind, each healed: one-byte round trips through each faulted link’s proxy, and through one no fault touched (${UNTOUCHED_LINK}).`,
    unit: 'ms',
  });
  for (const [link, samples] of residue) {
    const kind = kinds.find((k) => k.link === link)?.kind;
    const label = kind ? `${link} (after ${count} × ${kind})` : `${link} (untouched)`;
    out.figures.push(
      figureOf(
        {
          id: `heal-residue.${link}`,
          measurement: 'heal-residue',
          label,
          unit: 'ms',
          command: `300 one-byte echoes through the ${link} proxy`,
        },
        samples,
      ),
    );
  }
}
