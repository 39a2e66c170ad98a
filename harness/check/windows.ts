// Every expected window of the catalogue, computed from the site as the stand-ins run it (timers already scaled):
// pure functions, no I/O. Each window is anchored on the instant that starts its timing and says how it was derived,
// so a report can say "expected 2000–2060 ms after the first unanswered heartbeat, measured 2031 ms".

import type { FaultKind, FaultRecord, Window, WindowKind } from '../core/model.js';
import type { ScaledSite, WanLink } from '../core/site-config.js';
import { toMonoNs } from '../core/clock.js';
import type { LinkName } from '../../images/protocol/index.js';

/** The instant a window counts from, and its name in words ("cms-primary killed", "heartbeat 12 sent"). */
export interface Anchor {
  ns: bigint;
  label: string;
}

/**
 * How much later than its timers an event may come, and nothing else: a timer of a stand-in firing late and a process
 * waiting for the CPU on a loaded 2-core host (the other core busy, a second site running beside it), plus one hop
 * through Toxiproxy. Later than that, the stand-in reports a late timer and a failed window says the host was
 * overloaded. It also serves as the slack of the other protocol checks. It does not scale with the time scale: none
 * of its causes do.
 */
export const SCHEDULING_MS = 40;
/**
 * How much earlier than its timers an event may come: 1 ms, the rounding of stamps and slots. Events are stamped at
 * the instant their machine decided them, on the clock the machine's timers run on; a timer never fires early (the
 * machine ignores an early tick); and a heartbeat counts from its slot on the grid, not from its late timer.
 */
export const STAMP_MS = 1;
const SCHEDULING_WHY = `rounding; a late timer, a busy CPU, one Toxiproxy hop`;

/** How a fault shows to a peer that talks to the faulted node or across the faulted link. */
export type FailureMode = 'refused' | 'silent';

/** Kill, stop and cut refuse or reset connections at once; pause, isolate and blackhole leave them silent. */
export function failureMode(kind: FaultKind): FailureMode | null {
  switch (kind) {
    case 'kill':
    case 'stop':
    case 'cut':
    case 'reset-peer':
      return 'refused';
    case 'pause':
    case 'isolate':
    case 'blackhole':
      return 'silent';
    default:
      return null;
  }
}

/** Numbers as the derivations write them: integers plain, others with one decimal. */
function n(v: number): string {
  return Number.isInteger(v) ? String(v) : v.toFixed(1);
}

interface Raw {
  from: number;
  to: number;
  formula: string;
  /** Extra widening of the upper bound, with its physical cause (a fault request's own duration). */
  extra?: { ms: number; why: string };
}

function window(name: string, description: string, kind: WindowKind, anchor: Anchor, raw: Raw): Window {
  const late = SCHEDULING_MS + (raw.extra?.ms ?? 0);
  const extra = raw.extra && raw.extra.ms > 0 ? ` + ${n(raw.extra.ms)} ms (${raw.extra.why})` : '';
  return {
    name,
    description,
    kind,
    anchorLabel: anchor.label,
    anchorNs: toMonoNs(anchor.ns),
    fromMs: Math.max(0, raw.from - STAMP_MS),
    toMs: raw.to + late,
    derivation: `${raw.formula} = ${n(raw.from)} … ${n(raw.to)} ms, −${STAMP_MS} +${SCHEDULING_MS} ms (${SCHEDULING_WHY})${extra}`,
  };
}

/** The fault took effect somewhere during its request: from-fault windows widen by the request's own duration. */
export interface FaultAnchor extends Anchor {
  /** How long the request to apply the fault took (confirmed − applied). */
  requestMs: number;
  mode: FailureMode;
}

function requestExtra(fault: FaultAnchor): Raw['extra'] {
  return { ms: fault.requestMs, why: 'the fault took effect during its request' };
}

/**
 * A heal, too, takes effect somewhere during its request (a stopped node starts, answers, and is told to begin):
 * windows from a heal count from the request's start and widen by its duration.
 */
export interface HealAnchor extends Anchor {
  /** How long the heal request took (healed − removed). */
  requestMs: number;
}

function healExtra(heal: HealAnchor): Raw['extra'] {
  return { ms: heal.requestMs, why: 'the heal took effect during its request' };
}

// ---------------------------------------------------------------------------------------------------------------
// Failover: the secondary declares the primary lost after heartbeatMisses consecutive unanswered heartbeats.

/**
 * From the fault (the operator's view): a refused heartbeat fails at once, so the last of m misses comes between
 * (m-1)·interval (the fault just before a beat) and m·interval (just after one); a silent one fails at its timeout.
 */
export function failoverFromFault(site: ScaledSite, fault: FaultAnchor): Window {
  const { heartbeatMisses: m, heartbeatIntervalMs: i, heartbeatTimeoutMs: t } = site.timers;
  const d = fault.mode === 'silent' ? t : 0;
  const flight = heartbeatInFlight(site);
  const formula =
    (fault.mode === 'silent' ? `(${m}-1)·${n(i)} + ${n(t)} … ${m}·${n(i)} + ${n(t)}` : `(${m}-1)·${n(i)} … ${m}·${n(i)}`) + flight.formula;
  return window('failover from the fault', 'the secondary becomes ACTIVE', 'fault', fault, {
    from: Math.max(0, (m - 1) * i + d - flight.ms),
    to: m * i + d,
    formula,
    extra: requestExtra(fault),
  });
}

/**
 * Across a WAN, a heartbeat sent up to one one-way delay before the fault has not reached the primary yet, so it
 * goes unanswered: the first miss, and with it the failover, can come that much earlier than a beat sent at the fault.
 */
function heartbeatInFlight(site: ScaledSite): { ms: number; formula: string } {
  const wan = site.wan.heartbeat;
  if (!wan) return { ms: 0, formula: '' };
  const ms = wan.latencyMs + wan.jitterMs;
  return { ms, formula: `, from − WAN one way ${n(wan.latencyMs)} + ${n(wan.jitterMs)} (a heartbeat in flight at the fault)` };
}

/**
 * From the first unanswered heartbeat (the timing itself): the heartbeats run on a fixed grid, so the m-th miss
 * is (m-1) intervals later, and it fails at once (refused) or at its timeout (silent). Any other miss count or
 * timeout lands a whole interval, or the timeout's difference, away.
 */
export function failoverFromFirstMiss(site: ScaledSite, anchor: Anchor, mode: FailureMode): Window {
  const { heartbeatMisses: m, heartbeatIntervalMs: i, heartbeatTimeoutMs: t } = site.timers;
  const at = (m - 1) * i + (mode === 'silent' ? t : 0);
  const formula = mode === 'silent' ? `(${m}-1)·${n(i)} + timeout ${n(t)}` : `(${m}-1)·${n(i)} + a refused connection`;
  return window('failover from the first unanswered heartbeat', 'the secondary becomes ACTIVE', 'protocol', anchor, {
    from: at,
    to: at,
    formula,
  });
}

/** How long to watch to be sure no failover comes: twice the latest a failover could come after a fault. */
export function noFailoverObservationMs(site: ScaledSite): number {
  const { heartbeatMisses: m, heartbeatIntervalMs: i, heartbeatTimeoutMs: t } = site.timers;
  return 2 * (m * i + t);
}

/** A starting primary's no-secondary deadline after its life began: as long as the secondary takes to declare it down. */
function noSecondaryDeadline(site: ScaledSite): { ms: number; formula: string } {
  const { heartbeatMisses: m, heartbeatIntervalMs: i, heartbeatTimeoutMs: t } = site.timers;
  return { ms: detectionMs(site), formula: `no-secondary deadline ${m}·${n(i)} + timeout ${n(t)}` };
}

/**
 * A primary that hears no secondary (it started again while the secondary is down) holds STANDBY until its
 * no-secondary deadline, heartbeatMisses·heartbeatInterval + heartbeatTimeout after its life began, then goes ACTIVE
 * alone.
 */
export function loneActive(site: ScaledSite, begun: HealAnchor): Window {
  const deadline = noSecondaryDeadline(site);
  return window('lone primary ACTIVE', 'the primary that hears no secondary becomes ACTIVE', 'fault', begun, {
    from: deadline.ms,
    to: deadline.ms,
    formula: deadline.formula,
    extra: healExtra(begun),
  });
}

/**
 * A restarted primary waits STANDBY for the secondary's first heartbeat and decides its role on it, at the latest by
 * its no-secondary deadline (the beats to a fresh container can be lost while its network comes up).
 */
export function primaryDecision(site: ScaledSite, begun: HealAnchor): Window {
  const deadline = noSecondaryDeadline(site);
  return window('restarted primary decides', 'the restarted primary decides its role on a heartbeat', 'fault', begun, {
    from: 0,
    to: deadline.ms,
    formula: `the first heartbeat it hears, by the ${deadline.formula}`,
    extra: healExtra(begun),
  });
}

/** Two heartbeats of the secondary are one interval apart (a fixed grid). */
export function heartbeatPeriod(site: ScaledSite, previous: Anchor): Window {
  const i = site.timers.heartbeatIntervalMs;
  return window('heartbeat period', 'the next heartbeat is sent', 'protocol', previous, { from: i, to: i, formula: `interval ${n(i)}` });
}

// ---------------------------------------------------------------------------------------------------------------
// The supervisor follows the ACTIVE CMS.

/**
 * After its session is gone and the new CMS is ACTIVE, the supervisor logs in at its next attempt there: it tries
 * the other CMS at once after a loss, then alternates every keepaliveInterval/2, so within one keepaliveInterval.
 */
export function loginFromReady(site: ScaledSite, anchor: Anchor): Window {
  const k = site.timers.keepaliveIntervalMs;
  return window('supervisor login after the switch', 'the supervisor logs in to the new ACTIVE CMS', 'protocol', anchor, {
    from: 0,
    to: k,
    formula: `0 … one client retry round ${n(k)} (attempts alternate every ${n(k / 2)})`,
  });
}

/**
 * From the fault: the later of the failover and the supervisor's loss of its session (at once when refused; after
 * keepaliveMisses·keepaliveInterval of silence otherwise, its last keep-alive being at most one interval old), then
 * at most one client retry round.
 */
export function loginFromFault(site: ScaledSite, fault: FaultAnchor): Window {
  const { keepaliveIntervalMs: k, keepaliveMisses: km, heartbeatMisses: m, heartbeatIntervalMs: i, heartbeatTimeoutMs: t } = site.timers;
  const d = fault.mode === 'silent' ? t : 0;
  const lossFrom = fault.mode === 'silent' ? (km - 1) * k : 0;
  const lossTo = fault.mode === 'silent' ? km * k : 0;
  const flight = heartbeatInFlight(site);
  const from = Math.max((m - 1) * i + d - flight.ms, lossFrom);
  const to = Math.max(m * i + d, lossTo) + k;
  return window('supervisor outage from the fault', 'the supervisor logs in to the new ACTIVE CMS', 'fault', fault, {
    from,
    to,
    formula: `max(failover, session loss ${fault.mode === 'silent' ? `(${km}-1)·${n(k)} … ${km}·${n(k)}` : '0'}) + one retry round ${n(k)}${flight.formula}`,
    extra: requestExtra(fault),
  });
}

/**
 * The longest a site takes to settle once a scenario's expectations held, before its end state is read:
 * - a returning primary holds STANDBY until the secondary's first heartbeat, or until its no-secondary deadline,
 *   heartbeatMisses·heartbeatInterval + heartbeatTimeout after it started;
 * - the supervisor drops a session on a silent CMS after keepaliveMisses·keepaliveInterval, then reaches the ACTIVE
 *   CMS within one client retry round.
 * Each adds the scheduling tolerance. Bounds, not windows: a site not settled by then ends as it is.
 */
export function settleBounds(site: ScaledSite): { primaryDecidesMs: number; supervisorLogsInMs: number } {
  const { heartbeatMisses: m, heartbeatIntervalMs: i, heartbeatTimeoutMs: t, keepaliveIntervalMs: k, keepaliveMisses: km } = site.timers;
  return { primaryDecidesMs: m * i + t + SCHEDULING_MS, supervisorLogsInMs: km * k + k + SCHEDULING_MS };
}

/**
 * Without a fault to count from (after an operator's switch), how long the supervisor may take to log in to the new
 * ACTIVE CMS: one session loss and one retry round, two keepaliveIntervals. A bound.
 */
export function loginAfterSwitchBoundMs(site: ScaledSite): number {
  return 2 * site.timers.keepaliveIntervalMs + SCHEDULING_MS;
}

/** The site's own outage budget, counted from the fault. */
export function budget(name: string, description: string, budgetMs: number, anchor: Anchor): Window {
  return {
    name,
    description,
    kind: 'budget',
    anchorLabel: anchor.label,
    anchorNs: toMonoNs(anchor.ns),
    fromMs: 0,
    toMs: budgetMs,
    derivation: `the site file's budget ${n(budgetMs)} ms (scaled with the run)`,
  };
}

// ---------------------------------------------------------------------------------------------------------------
// ACD links.

/**
 * How long after the fault a CMS begins the Dual-IP cycle of a lost link, at the latest: at once for a refused link,
 * after keep-alive silence (keepaliveMisses·keepaliveInterval) for a silent one; plus the fault's request. A bound.
 */
export function cycleStartBoundMs(site: ScaledSite, fault: FaultAnchor): number {
  return fault.requestMs + site.timers.keepaliveMisses * site.timers.keepaliveIntervalMs + SCHEDULING_MS;
}

/**
 * After a link is healed, a CMS cycling through Dual-IP reconnects at its next slot, within one linkRetry (while that
 * slot is at the main CM: the first mainAttempts of a cycle), then is in data transfer after the pump-up (and the WAN
 * both ways); at the earliest a pump-up after the heal.
 */
export function acdLinkBack(site: ScaledSite, heal: HealAnchor, link: LinkName): Window {
  const { linkRetryMs: r, pumpupMs: p } = site.timers;
  const wan = wanRoundTrip(site.wan[link]);
  return window('ACD link back after the heal', 'the ACD link is in data transfer again', 'fault', heal, {
    from: p + wan.from,
    to: r + p + wan.to,
    formula: `next Dual-IP slot 0 … ${n(r)} + pump-up ${n(p)}${wan.to > 0 ? ` + WAN ${wan.formula}` : ''}`,
    extra: healExtra(heal),
  });
}

/**
 * The events a counted gap misses (DESIGN §1, I6): the silence times the event rate, less the one event that ends it;
 * within a slack of one event, the scheduling tolerance's worth, and `uncertaintyMs` of silence not known exactly (the
 * last event before it and the first after it come up to one event period from the silence's ends).
 */
export function gapMissing(site: ScaledSite, silenceMs: number, uncertaintyMs = 0): { expected: number; slack: number; formula: string } {
  const hz = site.timers.acdEventRateHz;
  const expected = Math.max(0, Math.round((silenceMs * hz) / 1000) - 1);
  const slack = 1 + Math.ceil((hz * (SCHEDULING_MS + uncertaintyMs)) / 1000);
  const unsure = uncertaintyMs > 0 ? ` + ${n(uncertaintyMs)}` : '';
  return { expected, slack, formula: `${n(silenceMs)} ms of silence × ${hz}/s − 1, ± 1 + ${hz}/s × (${SCHEDULING_MS}${unsure}) ms` };
}

/** A cut or reset link is seen at once. */
export function resetLinkLoss(fault: FaultAnchor): Window {
  return window('link loss seen', 'the CMS declares its ACD link lost', 'fault', fault, {
    from: 0,
    to: 0,
    formula: 'a reset is seen at once',
    extra: requestExtra(fault),
  });
}

/**
 * A silent link is declared lost keepaliveMisses·keepaliveInterval after the last message received; ACD data flows
 * at acdEventRateHz, so that message is at most one event period older than the fault.
 */
export function silentLinkLoss(site: ScaledSite, fault: FaultAnchor): Window {
  const { keepaliveMisses: m, keepaliveIntervalMs: k, acdEventRateHz: hz } = site.timers;
  const period = 1000 / hz;
  return window('silent link loss', 'the CMS declares its silent ACD link lost', 'fault', fault, {
    from: m * k - period,
    to: m * k,
    formula: `${m}·${n(k)} after the last data, at most one event period (${n(period)}) before the fault`,
    extra: requestExtra(fault),
  });
}

/** The k-th attempt of a Dual-IP cycle starts (k-1)·linkRetry after the cycle's first one. */
/** Attempt `attempt` of a Dual-IP cycle, on the grid from its first attempt, or from a later one dialled late (`from`). */
export function dualIpAttempt(site: ScaledSite, gridStart: Anchor, attempt: number, from = 1): Window {
  const r = site.timers.linkRetryMs;
  return window(`Dual-IP attempt ${attempt}`, `attempt ${attempt} of the Dual-IP cycle`, 'protocol', gridStart, {
    from: (attempt - from) * r,
    to: (attempt - from) * r,
    formula: `(${attempt}-${from})·${n(r)}`,
  });
}

/** A link accepted by a serving CM or ESS is in data transfer after the pump-up (plus its WAN delay each way). */
export function pumpup(site: ScaledSite, attemptStart: Anchor, link: LinkName): Window {
  const p = site.timers.pumpupMs;
  const wan = wanRoundTrip(site.wan[link]);
  return window('in data transfer', 'the ACD link is in data transfer', 'protocol', attemptStart, {
    from: p + wan.from,
    to: p + wan.to,
    formula: `pump-up ${n(p)}${wan.to > 0 ? ` + WAN ${wan.formula}` : ''}`,
  });
}

// ---------------------------------------------------------------------------------------------------------------
// ESS takeover.

/** The ESS goes ACTIVE essNoServiceTimeout after it saw the main CM lost (its own NO_SERVICE_TIMING). */
export function essActiveFromLoss(site: ScaledSite, essLoss: Anchor): Window {
  const t = site.timers.essNoServiceTimeoutMs;
  return window('ESS ACTIVE after its no-service timeout', 'the ESS becomes ACTIVE', 'protocol', essLoss, {
    from: t,
    to: t,
    formula: `no-service timeout ${n(t)}`,
  });
}

/** From the fault: a stopped CM closes the ESS's connection at once, so detection is immediate, then the timeout. */
export function essActiveFromFault(site: ScaledSite, fault: FaultAnchor): Window {
  const { essNoServiceTimeoutMs: t, keepaliveMisses: m, keepaliveIntervalMs: k } = site.timers;
  const [from, to, detect] = fault.mode === 'silent' ? [(m - 1) * k + t, m * k + t, `silence ${m}·${n(k)}`] : [t, t, 'at once'];
  return window('ESS takeover from the fault', 'the ESS becomes ACTIVE', 'fault', fault, {
    from,
    to,
    formula: `detection ${detect} + no-service timeout ${n(t)}`,
    extra: requestExtra(fault),
  });
}

/**
 * A CMS reaches the ESS at the first ESS slot of its Dual-IP grid at or after the ESS went ACTIVE (an earlier ESS
 * attempt is rejected), then pump-up. When a slot lies within the scheduling tolerance of the ESS's activation,
 * either it or the next ESS slot can be the one, and the window covers both.
 */
export function cmsReachesEss(site: ScaledSite, cycleStart: Anchor, essActiveAfterMs: number): Window & { attempt: number; cycle: number } {
  const { linkRetryMs: r, mainAttempts: main, essAttempts: ess, pumpupMs: p } = site.timers;
  const perCycle = main + ess;
  const slots: Array<{ index: number; atMs: number }> = [];
  for (let index = 0; slots.length === 0 || slots.at(-1)!.atMs < essActiveAfterMs + SCHEDULING_MS; index++) {
    if (index % perCycle < main) continue;
    const atMs = index * r;
    if (atMs >= essActiveAfterMs - SCHEDULING_MS) slots.push({ index, atMs });
    if (index > 10_000) break;
  }
  const first = slots[0]!;
  const last = slots.at(-1)!;
  const step = (s: { index: number }) => `cycle ${Math.floor(s.index / perCycle) + 1} attempt ${(s.index % perCycle) + 1}`;
  const w = window('CMS reaches the ESS', 'the CMS is in data transfer with the ESS', 'protocol', cycleStart, {
    from: first.atMs + p,
    to: last.atMs + p,
    formula: `ESS ACTIVE ${n(essActiveAfterMs)} after the cycle start; first ESS slot (every ${n(r)}, ${main} cm + ${ess} ess per cycle) at or after it: ${slots.map(step).join(' or ')}; + pump-up ${n(p)}`,
  });
  return { ...w, attempt: (first.index % perCycle) + 1, cycle: Math.floor(first.index / perCycle) + 1 };
}

/**
 * How long a CMS on the ESS is watched for a pre-emptive return once the main CM is back: a whole Dual-IP cycle and a
 * pump-up, long enough for any attempt at the main CM a CMS would make.
 */
export function noPreemptiveReturnMs(site: ScaledSite): number {
  return dualIpCycleMs(site) + site.timers.pumpupMs;
}

/** The ESS spends essReset in RESETTING, then STANDBY. */
export function essReset(site: ScaledSite, resetting: Anchor): Window {
  const t = site.timers.essResetMs;
  return window('ESS reset', 'the ESS is back in STANDBY', 'protocol', resetting, { from: t, to: t, formula: `reset ${n(t)}` });
}

// ---------------------------------------------------------------------------------------------------------------
// Admin-Sync.

/** One change, primary `changed` to peer `applied`, across a link with a latency toxic and the site's WAN on it. */
export function adminSyncLag(
  site: ScaledSite,
  changed: Anchor,
  toxic: { latencyMs: number; jitterMs: number } = { latencyMs: 0, jitterMs: 0 },
): Window {
  const wan = site.wan['admin-sync'];
  const from = Math.max(0, toxic.latencyMs - toxic.jitterMs) + (wan ? Math.max(0, wan.latencyMs - wan.jitterMs) : 0);
  const to = toxic.latencyMs + toxic.jitterMs + (wan ? wan.latencyMs + wan.jitterMs : 0);
  const parts = [
    `latency ${n(toxic.latencyMs)} ∓ jitter ${n(toxic.jitterMs)}`,
    ...(wan ? [`WAN ${n(wan.latencyMs)} ∓ ${n(wan.jitterMs)}`] : []),
  ];
  return window('Admin-Sync lag', 'the change is applied on the peer', 'protocol', changed, { from, to, formula: parts.join(' + ') });
}

/**
 * The latency toxic in force on a link (the scenario's own, not the site's WAN), as adminSyncLag takes it; undefined
 * when none is.
 */
export function latencyToxic(faults: readonly FaultRecord[], link: LinkName): { latencyMs: number; jitterMs: number } | undefined {
  const slowed = faults.find((f) => f.kind === 'latency' && f.target === link && f.removedNs === null);
  return slowed ? { latencyMs: Number(slowed.attributes['latency']), jitterMs: Number(slowed.attributes['jitter'] ?? 0) } : undefined;
}

/**
 * What applying one queued change costs the peer before it takes the next: the Admin-Sync machine writes its state to
 * disk (a temp file and a rename, `writeJsonFileAtomic`) and acknowledges the change, and only then goes on to the next.
 * Measured on the drains of four catalogue runs (two at real time, two at 0.05 with the other core busy), 72 steps
 * change to change: median 1.5 ms, p90 2.9 ms, 3.6 ms at most but for two host stalls (10 and 20 ms), which the
 * scheduling tolerance covers. It does not scale with the time scale: it is disk and CPU, not a timer.
 */
export const ADMIN_APPLY_MS = 5;

/**
 * After the link comes back, the queued changes are resent at once on the new connection, and the peer applies them
 * in order: the change at `place` (1 for the first in the queue) waits for its own apply and those before it.
 */
export function adminSyncDrain(site: ScaledSite, linkUp: Anchor, place: number): Window {
  const wan = site.wan['admin-sync'];
  const formula = `${wan ? `WAN ${n(wan.latencyMs)} + ${n(wan.jitterMs)}` : 'resent at once on the new connection'}; applied in order, ${place} in the queue × ${n(ADMIN_APPLY_MS)} per change`;
  const what = `the change at place ${place} of the queue is applied on the peer`;
  // Named by its place, as a Dual-IP attempt is by its number: each place has its own bound, and its own trend.
  return window(`Admin-Sync drain, place ${place}`, what, 'protocol', linkUp, {
    from: 0,
    to: (wan ? wan.latencyMs + wan.jitterMs : 0) + place * ADMIN_APPLY_MS,
    formula,
  });
}

/** After the heal, the sender redials within one keepaliveInterval (its retry period) and says hello. */
export function adminSyncReconnect(site: ScaledSite, heal: HealAnchor): Window {
  const k = site.timers.keepaliveIntervalMs;
  const wan = site.wan['admin-sync'];
  const rtt = wan ? 2 * (wan.latencyMs + wan.jitterMs) : 0;
  return window('Admin-Sync back up', 'the admin-sync link is up again', 'fault', heal, {
    from: 0,
    to: k + rtt,
    formula: `0 … redial period ${n(k)}${rtt > 0 ? ` + WAN round trip ${n(rtt)}` : ''}`,
    extra: healExtra(heal),
  });
}

// ---------------------------------------------------------------------------------------------------------------
// Return of the primary and failback.

/** The primary decides its role on the first heartbeat it receives from the secondary after the return. */
export function failbackDecision(site: ScaledSite, received: Anchor): Window {
  return window('failback decision', 'the returning primary applies the failback policy', 'protocol', received, {
    from: 0,
    to: 0,
    formula: 'on the heartbeat itself',
  });
}

/** From the return: the secondary's next heartbeat within one interval, answered within its timeout. */
export function failbackFromReturn(site: ScaledSite, back: HealAnchor): Window {
  const { heartbeatIntervalMs: i, heartbeatTimeoutMs: t } = site.timers;
  return window('failback from the return', 'the returning primary applies the failback policy', 'fault', back, {
    from: 0,
    to: i + t,
    formula: `next heartbeat ${n(i)} + its exchange ${n(t)}`,
    extra: healExtra(back),
  });
}

/**
 * With automatic failback the primary takes the role back on a heartbeat and demands STANDBY in its answer: both
 * are ACTIVE at most one heartbeat exchange, bounded by the heartbeat timeout (DESIGN §1).
 */
export function handoverDualActive(site: ScaledSite, decision: Anchor): Window {
  const t = site.timers.heartbeatTimeoutMs;
  return window('dual-active during the handover', 'the secondary goes STANDBY, ending the handover', 'protocol', decision, {
    from: 0,
    to: t,
    formula: `one heartbeat exchange ≤ timeout ${n(t)}`,
  });
}

/**
 * DUAL_ACTIVE clears once one CMS is STANDBY: at once on the CMS that went STANDBY itself, else when the ACTIVE one
 * learns it, at once over Admin-Sync (a role change is sent at once) or with the next heartbeat exchange (one interval
 * and its timeout, plus the WAN both ways).
 */
export function dualActiveCleared(site: ScaledSite, standby: Anchor): Window {
  const { heartbeatIntervalMs: i, heartbeatTimeoutMs: t } = site.timers;
  const wan = wanRoundTrip(site.wan.heartbeat);
  return window('DUAL_ACTIVE cleared', 'the CMS clears DUAL_ACTIVE', 'protocol', standby, {
    from: 0,
    to: i + t + wan.to,
    formula: `0 … next heartbeat ${n(i)} + its exchange ${n(t)}${wan.to > 0 ? ` + WAN ${wan.formula}` : ''}`,
  });
}

/**
 * An operator's role change takes effect during the request: at its earliest when the request was sent, at its latest
 * when the answer came back (the stand-in decides while it handles the request), so the window widens by the request.
 */
export function manualSwitch(anchor: Anchor, requestMs = 0): Window {
  return window('manual switch', 'the operator’s role change takes effect', 'protocol', anchor, {
    from: 0,
    to: 0,
    formula: 'during the request',
    ...(requestMs > 0 ? { extra: { ms: requestMs, why: 'the request’s own duration' } } : {}),
  });
}

/**
 * A CMS that took over learns its peer's role over Admin-Sync: at once when the peer tells it (a role change is sent
 * at once), else with the next keep-alive, one keepaliveInterval later, plus the WAN delay on that link.
 */
export function alarmAfterFailover(site: ScaledSite, failover: Anchor): Window {
  const k = site.timers.keepaliveIntervalMs;
  const wan = site.wan['admin-sync'];
  const d = wan ? wan.latencyMs + wan.jitterMs : 0;
  return window('DUAL_ACTIVE after the failover', 'the CMS raises DUAL_ACTIVE', 'protocol', failover, {
    from: 0,
    to: k + d,
    formula: `next keep-alive ${n(k)}${d > 0 ? ` + WAN ${n(d)}` : ''}`,
  });
}

/** ADMIN_SYNC_LAG is raised when a change is queued on a link that is down. */
export function adminLagAlarm(queued: Anchor): Window {
  return window('ADMIN_SYNC_LAG raised', 'the sender raises ADMIN_SYNC_LAG', 'protocol', queued, {
    from: 0,
    to: 0,
    formula: 'at the queued change',
  });
}

function wanRoundTrip(wan: WanLink | undefined): { from: number; to: number; formula: string } {
  if (!wan) return { from: 0, to: 0, formula: '' };
  return {
    from: 2 * Math.max(0, wan.latencyMs - wan.jitterMs),
    to: 2 * (wan.latencyMs + wan.jitterMs),
    formula: `round trip 2·(${n(wan.latencyMs)} ∓ ${n(wan.jitterMs)})`,
  };
}

/** The ESS learns the main CM is back at its next redial (one keepaliveInterval after its last failure) and returns. */
export function essReturnOnceCmBack(site: ScaledSite, heal: HealAnchor): Window {
  const k = site.timers.keepaliveIntervalMs;
  return window('ESS return once the CM is back', 'the ESS begins its scheduled return', 'fault', heal, {
    from: 0,
    to: k,
    formula: `0 … the ESS's redial period ${n(k)}`,
    extra: healExtra(heal),
  });
}

// ---------------------------------------------------------------------------------------------------------------
// Bounds of the invariants (DESIGN §1 "Invariants under any schedule of faults").

/** How long the site may go without hearing a CMS before it acts: heartbeatMisses·interval + timeout. */
export function detectionMs(site: ScaledSite): number {
  const { heartbeatMisses: m, heartbeatIntervalMs: i, heartbeatTimeoutMs: t } = site.timers;
  return m * i + t;
}

/** One whole Dual-IP cycle: every main CM attempt and every ESS attempt, linkRetry apart. */
export function dualIpCycleMs(site: ScaledSite): number {
  const { mainAttempts, essAttempts, linkRetryMs } = site.timers;
  return (mainAttempts + essAttempts) * linkRetryMs;
}

/**
 * After the last fault is healed the site settles within (DESIGN I4): the detection window (a returning primary
 * decides at the latest at its no-secondary deadline), one Dual-IP cycle and a pump-up (a CMS waiting for its next
 * slot), and the Admin-Sync drain (a redial after a silent link, then the queue). The supervisor's move (a silent
 * session given up, one retry round: keepaliveMisses·keepaliveInterval + keepaliveInterval) runs alongside the Dual-IP
 * cycle, which is longer at any allowed setting. When nothing stood between a CMS and its switch (no fault on an ACD
 * link, the main CM or the ESS, no isolation), a CMS's link is never made to wait for a slot: a CMS that restarts dials
 * at once and a silent link is redialled at once on its loss, so the cycle gives way to one pump-up. A bound on a
 * state, not the timing of an event.
 */
export function convergence(
  site: ScaledSite,
  lastMove: Anchor,
  options: { switchPathFaulted: boolean } = { switchPathFaulted: true },
): Window {
  const t = site.timers;
  const detect = detectionMs(site);
  const cycle = options.switchPathFaulted ? dualIpCycleMs(site) : 0;
  const acdWan = Math.max(
    0,
    ...(['acd-primary', 'acd-secondary', 'acd-primary-ess', 'acd-secondary-ess'] as const).map((l) => wanRoundTrip(site.wan[l]).to),
  );
  const adminWan = wanRoundTrip(site.wan['admin-sync']).to;
  const drain = (t.keepaliveMisses + 1) * t.keepaliveIntervalMs + adminWan;
  const supervisor = t.keepaliveMisses * t.keepaliveIntervalMs + t.keepaliveIntervalMs;
  const alongside = Math.max(cycle + t.pumpupMs + acdWan, supervisor);
  const to = detect + alongside + drain;
  return window('convergence', 'the site settles after the last fault is healed', 'protocol', lastMove, {
    from: 0,
    to,
    formula: `detection ${n(detect)} + max(${options.switchPathFaulted ? `Dual-IP cycle ${n(cycle)} + ` : 'no ACD path faulted: '}pump-up ${n(t.pumpupMs + acdWan)}, supervisor ${n(supervisor)}) + Admin-Sync drain ${n(drain)}`,
  });
}

/**
 * A CMS that sees no ACTIVE CMS raises NO_ACTIVE_CMS once that has lasted the detection window (DESIGN §1 "Always an
 * ACTIVE CMS"); the outage is counted from when the last ACTIVE CMS stopped serving.
 */
export function noActiveAlarm(site: ScaledSite, outage: Anchor, requestMs = 0): Window {
  const d = detectionMs(site);
  return window('NO_ACTIVE_CMS raised', 'a CMS raises NO_ACTIVE_CMS', 'protocol', outage, {
    from: 0,
    to: d,
    formula: `detection window ${n(d)}`,
    ...(requestMs > 0 ? { extra: { ms: requestMs, why: 'the fault took effect during its request' } } : {}),
  });
}

/** A CMS whose ACD link has not been in data transfer for keepaliveMisses·keepaliveInterval raises ACD_LINK_DOWN. */
export function acdLinkDownAlarm(site: ScaledSite, down: Anchor): Window {
  const { keepaliveMisses: m, keepaliveIntervalMs: k } = site.timers;
  return window('ACD_LINK_DOWN raised', 'the CMS raises ACD_LINK_DOWN', 'protocol', down, {
    from: 0,
    to: m * k,
    formula: `${m}·${n(k)} without data transfer`,
  });
}

/**
 * How long two CMS that can hear each other again take to learn each other's role: the next heartbeat and its
 * answer, or an Admin-Sync redial after a silent connection and its hello, plus the WAN both ways.
 */
export function learnPeerMs(site: ScaledSite): number {
  const t = site.timers;
  const hb = t.heartbeatIntervalMs + t.heartbeatTimeoutMs + wanRoundTrip(site.wan.heartbeat).to;
  const admin = (t.keepaliveMisses + 1) * t.keepaliveIntervalMs + wanRoundTrip(site.wan['admin-sync']).to;
  return Math.max(hb, admin) + SCHEDULING_MS;
}

// ---------------------------------------------------------------------------------------------------------------
// Always an ACTIVE CMS (DESIGN §1): the STANDBY primary's watch of the secondary, and NO_ACTIVE_CMS.

/** A STANDBY primary takes the ACTIVE role back the detection window after the last heartbeat it heard. */
export function takeBackFromLastBeat(site: ScaledSite, lastBeat: Anchor): Window {
  const d = detectionMs(site);
  return window('take-back from the last heartbeat heard', 'the STANDBY primary takes the ACTIVE role back', 'protocol', lastBeat, {
    from: d,
    to: d,
    formula: `detection window ${n(d)}`,
  });
}

/** From the secondary's failure: its last heartbeat reached the primary up to one interval (and the WAN) before. */
export function takeBackFromFault(site: ScaledSite, fault: FaultAnchor): Window {
  const d = detectionMs(site);
  const i = site.timers.heartbeatIntervalMs;
  const wan = site.wan.heartbeat ? site.wan.heartbeat.latencyMs + site.wan.heartbeat.jitterMs : 0;
  return window('take-back from the fault', 'the STANDBY primary takes the ACTIVE role back', 'fault', fault, {
    from: d - i,
    to: d + wan,
    formula: `detection window ${n(d)} after the last heartbeat heard, 0 … one interval ${n(i)} before the fault${wan > 0 ? ` (+ WAN ${n(wan)})` : ''}`,
    extra: requestExtra(fault),
  });
}

/**
 * A CMS that is not ACTIVE raises NO_ACTIVE_CMS the detection window after it last knew an ACTIVE CMS: the last
 * heartbeat exchange or Admin-Sync keep-alive from its ACTIVE peer, at most one interval or one keep-alive period
 * before the peer's failure (whichever comes more often), plus the WAN that brought it.
 */
export function noActiveFromFault(site: ScaledSite, fault: FaultAnchor): Window {
  const d = detectionMs(site);
  const { heartbeatIntervalMs: i, keepaliveIntervalMs: k } = site.timers;
  const every = Math.min(i, k);
  const wan = Math.max(
    ...(['heartbeat', 'admin-sync'] as const).map((l) => (site.wan[l] ? site.wan[l]!.latencyMs + site.wan[l]!.jitterMs : 0)),
  );
  return window('NO_ACTIVE_CMS from the fault', 'a CMS raises NO_ACTIVE_CMS', 'fault', fault, {
    from: d - every,
    to: d + wan,
    formula: `detection window ${n(d)} after the last word of the ACTIVE peer, 0 … ${n(every)} (its heartbeat or keep-alive period) before the fault${wan > 0 ? ` (+ WAN ${n(wan)})` : ''}`,
    extra: requestExtra(fault),
  });
}

/**
 * After a split brain heals, the primary decides each conflict once it has both the heartbeat (contact: the next beat
 * and its answer) and Admin-Sync (a redial after a silent link and its hello) back; the secondary applies the verdict
 * on the same connection.
 */
export function conflictResolved(site: ScaledSite, heal: HealAnchor): Window {
  const t = site.timers;
  const hb = t.heartbeatIntervalMs + t.heartbeatTimeoutMs + wanRoundTrip(site.wan.heartbeat).to;
  const admin = (t.keepaliveMisses + 1) * t.keepaliveIntervalMs + 2 * wanRoundTrip(site.wan['admin-sync']).to;
  return window('conflict resolved', 'both CMS hold the winner’s value', 'fault', heal, {
    from: 0,
    to: Math.max(hb, admin),
    formula: `max(heartbeat contact ${n(hb)}, Admin-Sync back and the verdict across ${n(admin)})`,
    extra: healExtra(heal),
  });
}

/** A CMS whose ACD link never reaches data transfer after it began raises ACD_LINK_DOWN keepaliveMisses·keepaliveInterval later. */
export function acdLinkDownFromBegin(site: ScaledSite, begun: HealAnchor): Window {
  const { keepaliveMisses: m, keepaliveIntervalMs: k } = site.timers;
  return window('ACD_LINK_DOWN from the start', 'the CMS raises ACD_LINK_DOWN', 'protocol', begun, {
    from: m * k,
    to: m * k,
    formula: `${m}·${n(k)} without data transfer since it began`,
    extra: healExtra(begun),
  });
}
