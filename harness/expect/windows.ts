// Expected timing windows computed from the (scaled) configuration, so a report can say "expected 40.0–65.0 s,
// measured 47.2 s". Pure: no I/O. The bounds follow the stand-ins' documented behaviour (images/standin/machines).

import type { Policy, Timers } from '../../images/protocol/index.js';
import type { ExpectedWindow } from '../core/model.js';
import { HarnessError } from '../core/errors.js';

export interface WindowConfig {
  /** Timers already multiplied by the time scale (what the stand-ins were given). */
  timers: Timers;
  policy: Policy;
}

/** A window relative to an anchor instant (usually when the fault was applied), tolerance included. */
export interface Window {
  fromMs: number;
  toMs: number;
  /** In words with the numbers: "(3-1)·1000 … 3·1000 + 250 = 2000 … 3250 ms, ±250 ms tolerance". */
  derivation: string;
}

/**
 * Tolerance: max(250 ms, 10% of the window's width).
 * Why: 250 ms covers what no timer accounts for at any time scale (container scheduling on 2 cores, Docker's
 * bridge and Toxiproxy hops, the event stamp versus the fault stamp, a setTimeout firing late under load);
 * 10% of the width keeps the margin proportionate for real-time (scale 1) windows tens of seconds wide.
 */
export const TOLERANCE_FLOOR_MS = 250;
export const TOLERANCE_FRACTION = 0.1;

export function toleranceMs(_timers: Timers, widthMs = 0): number {
  return Math.max(TOLERANCE_FLOOR_MS, TOLERANCE_FRACTION * Math.max(0, widthMs));
}

/** Numbers as the derivations write them: integers plain, others with one decimal. */
function n(v: number): string {
  return Number.isInteger(v) ? String(v) : v.toFixed(1);
}

function check(cfg: WindowConfig, fields: Array<keyof Timers>): void {
  for (const f of fields) {
    const v = cfg.timers[f];
    if (typeof v !== 'number' || !Number.isFinite(v) || v < 0) {
      throw new HarnessError('BAD_INPUT', `timers.${f} must be a finite number >= 0 to compute a window, got ${String(v)}.`, {
        details: { field: f, value: v },
      });
    }
  }
}

/** Adds the tolerance to raw bounds and writes the derivation. */
function widen(cfg: WindowConfig, from: number, to: number, formula: string): Window {
  const tol = toleranceMs(cfg.timers, to - from);
  return {
    fromMs: Math.max(0, from - tol),
    toMs: to + tol,
    derivation: `${formula} = ${n(from)} … ${n(to)} ms, ±${n(tol)} ms tolerance (max(${TOLERANCE_FLOOR_MS}, 10% of width ${n(to - from)}))`,
  };
}

/**
 * The secondary becomes ACTIVE after the primary goes down (killed, stopped, paused, isolated, heartbeat cut):
 * [(misses-1)·interval, misses·interval + timeout] after the fault. The earliest case is a beat that fails at
 * the fault itself followed by misses-1 more; the latest is a fault just after an answered beat, so the first
 * failing beat starts one interval later and the last one times out.
 */
export function primaryDownDetection(cfg: WindowConfig): Window {
  check(cfg, ['heartbeatIntervalMs', 'heartbeatTimeoutMs', 'heartbeatMisses']);
  const { heartbeatMisses: m, heartbeatIntervalMs: i, heartbeatTimeoutMs: t } = cfg.timers;
  return widen(cfg, (m - 1) * i, m * i + t, `(${m}-1)·${n(i)} … ${m}·${n(i)} + ${n(t)}`);
}

/** Raw bounds (no tolerance) of silent-link detection; see silentLinkDetection. */
export function silentLinkBounds(cfg: WindowConfig): { fromMs: number; toMs: number } {
  check(cfg, ['keepaliveIntervalMs', 'keepaliveMisses']);
  const { keepaliveMisses: m, keepaliveIntervalMs: k } = cfg.timers;
  return { fromMs: (m - 1) * k, toMs: m * k };
}

/**
 * A link cut silently (blackhole: the connection stays open, nothing passes) is declared lost when nothing
 * arrived for keepaliveMisses·keepaliveInterval. The peer sends at least one keep-alive every interval, so the
 * last message before the fault is at most one interval old: [(misses-1)·interval, misses·interval] after the
 * fault (an ACD link in data transfer receives data more often, so it lands near the upper bound).
 */
export function silentLinkDetection(cfg: WindowConfig): Window {
  const b = silentLinkBounds(cfg);
  const { keepaliveMisses: m, keepaliveIntervalMs: k } = cfg.timers;
  return widen(cfg, b.fromMs, b.toMs, `(${m}-1)·${n(k)} … ${m}·${n(k)}`);
}

/**
 * How long the ESS takes to see the main CM's loss: 'closed' (CM stopped or killed: the ess-cm connection ends
 * at once, 0 ms), 'silent' (ess-cm blackholed: silentLinkBounds), or a number of ms taken as exact.
 */
export type EssDetection = 'closed' | 'silent' | number;

function essActiveBounds(cfg: WindowConfig, detect: EssDetection): { from: number; to: number; formula: string } {
  check(cfg, ['essNoServiceTimeoutMs']);
  const timeout = cfg.timers.essNoServiceTimeoutMs;
  if (detect === 'silent') {
    const b = silentLinkBounds(cfg);
    const { keepaliveMisses: m, keepaliveIntervalMs: k } = cfg.timers;
    return {
      from: b.fromMs + timeout,
      to: b.toMs + timeout,
      formula: `silent-link detection (${m}-1)·${n(k)} … ${m}·${n(k)} + no-service timeout ${n(timeout)}`,
    };
  }
  const d = detect === 'closed' ? 0 : detect;
  if (!Number.isFinite(d) || d < 0)
    throw new HarnessError('BAD_INPUT', `detectMs must be 'closed', 'silent' or a number >= 0, got ${String(detect)}.`, {
      details: { detectMs: detect },
    });
  return { from: d + timeout, to: d + timeout, formula: `detection ${n(d)} + no-service timeout ${n(timeout)}` };
}

/**
 * From the main CM's loss to the ESS going ACTIVE: detection, then essNoServiceTimeoutMs of continuous
 * unreachability (the ESS starts timing the instant it sees the loss).
 */
export function essTakeover(cfg: WindowConfig, detectMs: EssDetection = 'closed'): Window {
  const b = essActiveBounds(cfg, detectMs);
  return widen(cfg, b.from, b.to, b.formula);
}

export interface DualIpSlot {
  /** Cycle counted from the fault: 1 is the cycle that starts at cycleStartOffsetMs. */
  cycle: number;
  /** Attempt within the cycle: 1..mainAttempts at the CM, then the ESS attempts. */
  attempt: number;
  target: 'cm' | 'ess';
  /** When the attempt starts, from the fault. */
  atMs: number;
}

export interface CmsReachesEss extends Window {
  /** The Dual-IP step at which the CMS reaches the ESS (the earliest possible one when two are possible). */
  cycle: number;
  attempt: number;
  slotMs: number;
  /** Every step that can be the one (two when an ESS slot falls within the ESS-ACTIVE uncertainty). */
  candidates: DualIpSlot[];
  /** Every attempt slot from the cycle start up to the last candidate, for the report. */
  slots: DualIpSlot[];
}

/**
 * A CMS whose Dual-IP cycle started `cycleStartOffsetMs` after the fault (0 when it lost its CM link at the
 * fault) tries the CM mainAttempts times and then the ESS essAttempts times, linkRetryMs apart, cycle after
 * cycle. An ESS attempt before the ESS is ACTIVE is rejected, so the CMS reaches the ESS at the first ESS slot
 * at or after the ESS went ACTIVE (essTakeover), and is in DATA_TRANSFER pumpupMs later.
 * When an ESS slot lies within ±the tolerance floor of the ESS-ACTIVE bounds both it and the next ESS slot are
 * candidates and the window covers both.
 */
export function cmsReachesEss(cfg: WindowConfig, options: { cycleStartOffsetMs: number; detectMs?: EssDetection }): CmsReachesEss {
  check(cfg, ['linkRetryMs', 'mainAttempts', 'essAttempts', 'pumpupMs']);
  const { linkRetryMs: r, mainAttempts: main, essAttempts: ess, pumpupMs: pump } = cfg.timers;
  const offset = options.cycleStartOffsetMs;
  if (!Number.isFinite(offset) || offset < 0) {
    throw new HarnessError('BAD_INPUT', `cycleStartOffsetMs must be a number >= 0, got ${String(offset)}.`, {
      details: { cycleStartOffsetMs: offset },
    });
  }
  if (ess < 1)
    throw new HarnessError('BAD_INPUT', 'timers.essAttempts is 0: a CMS never tries the ESS.', { details: { essAttempts: ess } });
  if (r <= 0) throw new HarnessError('BAD_INPUT', `timers.linkRetryMs must be > 0, got ${r}.`, { details: { linkRetryMs: r } });
  const active = essActiveBounds(cfg, options.detectMs ?? 'closed');
  const jitter = toleranceMs(cfg.timers);
  const perCycle = main + ess;
  const slotAt = (index: number): DualIpSlot => {
    const cycle = Math.floor(index / perCycle) + 1;
    const attempt = (index % perCycle) + 1;
    return { cycle, attempt, target: attempt <= main ? 'cm' : 'ess', atMs: offset + index * r };
  };
  const slots: DualIpSlot[] = [];
  const candidates: DualIpSlot[] = [];
  for (let index = 0; index < 1_000_000; index++) {
    const s = slotAt(index);
    slots.push(s);
    if (s.target !== 'ess' || s.atMs < active.from - jitter) continue;
    candidates.push(s);
    // The last candidate: an ESS slot surely after the ESS went ACTIVE.
    if (s.atMs >= active.to + jitter) break;
  }
  const first = candidates[0];
  const last = candidates.at(-1);
  if (first === undefined || last === undefined) throw new HarnessError('BAD_INPUT', 'no ESS slot found: check the timers.');
  // A candidate earlier than the ESS's earliest ACTIVE instant is possible only by jitter; the raw window
  // starts at the first slot at or after ACTIVE, or the first candidate when jitter is what makes it one.
  const from = first.atMs + pump;
  const to = last.atMs + pump;
  const steps = candidates.map((c) => `cycle ${c.cycle} attempt ${c.attempt} at ${n(c.atMs)}`).join(' or ');
  const formula =
    `ESS ACTIVE at ${n(active.from)}${active.to !== active.from ? ` … ${n(active.to)}` : ''} (${active.formula}); ` +
    `slots every ${n(r)} from ${n(offset)}, ${main} cm + ${ess} ess per cycle; first ESS slot after it: ${steps}; + pump-up ${n(pump)}`;
  return { ...widen(cfg, from, to, formula), cycle: first.cycle, attempt: first.attempt, slotMs: first.atMs, candidates, slots };
}

/**
 * Lag of one admin change (primary `changed` to secondary `applied`) under a Toxiproxy latency toxic on the
 * primary-to-secondary direction of admin-sync: the toxic delays each chunk by latency ± jitter, and the
 * stand-ins add nothing measurable, so [latency - jitter, latency + jitter].
 */
export function adminSyncLag(cfg: WindowConfig, options: { latencyMs: number; jitterMs: number }): Window {
  const { latencyMs: l, jitterMs: j } = options;
  if (!Number.isFinite(l) || l < 0 || !Number.isFinite(j) || j < 0) {
    throw new HarnessError('BAD_INPUT', `latencyMs and jitterMs must be numbers >= 0, got ${String(l)} and ${String(j)}.`, {
      details: options,
    });
  }
  return widen(cfg, Math.max(0, l - j), l + j, `latency ${n(l)} ∓ jitter ${n(j)}`);
}

/** The period between two heartbeats of the secondary: heartbeatIntervalMs ± 10% (no extra tolerance). */
export function heartbeatPeriod(cfg: WindowConfig): Window {
  check(cfg, ['heartbeatIntervalMs']);
  const i = cfg.timers.heartbeatIntervalMs;
  const d = 0.1 * i;
  return { fromMs: i - d, toMs: i + d, derivation: `interval ${n(i)} ± 10% = ${n(i - d)} … ${n(i + d)} ms` };
}

/** Turns a window into the report's ExpectedWindow. */
export function toExpectedWindow(
  window: Window,
  meta: { name: string; description: string; anchorLabel: string; anchorNs: string },
): ExpectedWindow {
  return { ...meta, fromMs: window.fromMs, toMs: window.toMs, derivation: window.derivation };
}
