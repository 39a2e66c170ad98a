// What every expectation stands on: the running site as the expectations see it, and the machinery they share (the
// fault a timing counts from, waiting for the clock and the timeline, measuring against a window, the verdict).

import { AssertionError } from 'chai';
import type { AdminView, CmsName, NodeName, StandinStatus } from '../../images/protocol/index.js';
import { msToNs, nowNs, nsToMs, toNs } from '../core/clock.js';
import { isHarnessError } from '../core/errors.js';
import { formatDurationMs } from '../core/format.js';
import type { FaultKind, FaultRecord, Window } from '../core/model.js';
import { notYet, waitFor } from '../core/poll.js';
import type { Budgets, ScaledSite } from '../core/site-config.js';
import type { ObservedSpan, Sentence } from '../check/timeline-checks.js';
import * as w from '../check/windows.js';
import { HOST_OVERLOADED, measuredWords } from '../check/words.js';
import type { FaultHandle } from '../faults/fault-log.js';
import type { Evidence } from '../observe/evidence.js';
import { worstLateTimer } from '../observe/site-state.js';
import type { Stamped, Timeline } from '../observe/timeline.js';

/** What the expectations need from a running site (the scenario's Site implements it). */
export interface ObservedSite {
  readonly timeline: Timeline;
  readonly evidence: Evidence;
  /** The site as the stand-ins run it, scaled: every window is computed from it. */
  readonly scaled: ScaledSite;
  /** The faults of the scenario's last timed injection (applied together), oldest first. */
  readonly injected: readonly FaultRecord[];
  /**
   * The last heal (the primary's return, a link restored): when its request began, and how long until it was in
   * effect; null before any.
   */
  readonly lastHeal: w.HealAnchor | null;
  /** When the operator's last request was sent (its effect comes during the request), on which node, what. */
  readonly lastOperator: { node: NodeName; ns: bigint; action: string; requestMs: number } | null;
  /** Resolves once the timeline holds every event the stand-ins recorded up to now. */
  flush(): Promise<void>;
  /** An expectation saw the site get this far (an event it waited for, an observation's end); see Site.reached. */
  reached(ns: bigint): void;
  /** Says what the scenario is waiting for (the terminal's progress view). */
  note(phase: string): void;
  status(node: NodeName): Promise<StandinStatus>;
  /** What a CMS holds of the administration (GET /admin): each object's value, the conflict records, its queue. */
  adminView(node: CmsName): Promise<AdminView>;
  /**
   * Runs `check` when the scenario's outcome is over, before the site is removed; its failure fails the test there
   * (an expectation that observes "until the end of the scenario").
   */
  atEnd(check: () => Promise<void>): void;
}

/** Which fault a timing counts from. Default: the scenario's (its first injected fault; the label names all of them). */
export interface FromFault {
  from?: FaultHandle;
}

/** Where an observation starts and how long it lasts. */
export interface ObserveOptions {
  /** From the scenario's fault (default; from now when it injected none), from one named fault, or from now. */
  from?: 'fault' | 'now' | FaultHandle;
  /**
   * How long: the expectation's own observation (default), or until the end of the scenario and at least that long;
   * then the expectation returns at once and its check runs when the site finishes, failing the test there.
   */
  until?: 'observation' | 'end';
}

const FAULT_WORDS: Partial<Record<FaultKind, string>> = {
  kill: 'killed',
  stop: 'stopped',
  pause: 'paused',
  isolate: 'isolated',
  cut: 'cut',
  blackhole: 'blackholed',
  latency: 'slowed',
};

/** The shared machinery of the expectations on one site; each expectation family is a set of functions over it. */
export class Expectations {
  constructor(readonly site: ObservedSite) {}

  get tl(): Timeline {
    return this.site.timeline;
  }

  get ev(): Evidence {
    return this.site.evidence;
  }

  get scaled(): ScaledSite {
    return this.site.scaled;
  }

  get t(): ScaledSite['timers'] {
    return this.site.scaled.timers;
  }

  /** The fault a timing counts from, as a window anchor: `from`, else the scenario's first injected fault. */
  trigger(what: string, from?: Pick<FaultHandle, 'record'>): w.FaultAnchor {
    const fault = from?.record ?? this.site.injected[0];
    if (!fault) throw new AssertionError(`expected ${what}, but the scenario injected no fault`);
    const mode = w.failureMode(fault.kind) ?? 'silent';
    const applied = toNs(fault.appliedNs);
    const label = (from ? [from.record] : this.site.injected).map((f) => `${f.target} ${FAULT_WORDS[f.kind] ?? f.kind}`).join(' and ');
    return { ns: applied, label, requestMs: nsToMs(toNs(fault.confirmedNs) - applied), mode };
  }

  /** When the fault a stretch counts from was applied (`from`, else the scenario's first); null without a fault. */
  faultNs(from?: Pick<FaultHandle, 'record'>): bigint | null {
    const fault = from?.record ?? this.site.injected[0];
    return fault ? toNs(fault.appliedNs) : null;
  }

  /** Where an observation starts: at a fault (the scenario's without one named, now without any), an anchor, or now. */
  spanStart(from: ObserveOptions['from'] | w.Anchor): w.Anchor {
    if (typeof from === 'object' && 'ns' in from) return from;
    const handle = typeof from === 'object' ? from : undefined;
    if (from === 'now' || (handle === undefined && this.site.injected.length === 0))
      return { ns: nowNs(), label: 'the start of the observation' };
    return this.trigger('an observation', handle);
  }

  /** Observes from `start` for `lengthMs`, and at least until `endNs`; waits for its end. */
  async observe(start: w.Anchor, lengthMs: number, endNs = 0n): Promise<ObservedSpan> {
    const planned = start.ns + msToNs(lengthMs);
    const toNsEnd = endNs > planned ? endNs : planned;
    await this.untilObserved(toNsEnd);
    return { fromNs: start.ns, toNs: toNsEnd, ns: start.ns, label: start.label };
  }

  /** Waits until the clock passes `ns` and the timeline holds everything up to then. */
  async untilObserved(ns: bigint): Promise<void> {
    const remainingMs = nsToMs(ns - nowNs());
    if (remainingMs > 0) {
      await waitFor(() => (nowNs() >= ns ? true : notYet(`${formatDurationMs(nsToMs(ns - nowNs()))} of the window left`)), {
        deadlineMs: remainingMs + 1_000,
        label: 'the end of the observation window',
        intervalsMs: [Math.max(5, Math.min(250, remainingMs / 4))],
      });
    }
    await this.site.flush();
    this.site.reached(ns);
  }

  /** Waits for the first matching event at or after `afterNs`, until `untilNs` (absolute); undefined if none came. */
  async waitEvent<T extends Stamped>(
    pred: ((e: Stamped) => e is T) | ((e: Stamped) => boolean),
    afterNs: bigint,
    untilNs: bigint,
    what: string,
  ): Promise<T | undefined> {
    const found = (await this.#findEvent(pred, afterNs, untilNs, what)) as T | undefined;
    // What came, or the end of the wait, is how far the site got.
    this.site.reached(found ? found.ns : untilNs);
    return found;
  }

  async #findEvent(pred: (e: Stamped) => boolean, afterNs: bigint, untilNs: bigint, what: string): Promise<Stamped | undefined> {
    const present = this.tl.first(pred, { afterNs });
    if (present) return present;
    const remainingMs = nsToMs(untilNs - nowNs());
    if (remainingMs > 0) {
      this.site.note(`waiting for ${what}, at the latest in ${formatDurationMs(remainingMs)}`);
      try {
        return await this.tl.waitFor(pred, { afterNs, deadlineMs: remainingMs, label: what });
      } catch (error) {
        if (!isHarnessError(error, 'TIMEOUT')) throw error;
      }
    }
    await this.site.flush();
    return this.tl.first(pred, { afterNs });
  }

  /** The absolute end of the latest of some windows. */
  end(...windows: readonly Window[]): bigint {
    return windows.reduce((latest, win) => {
      const end = toNs(win.anchorNs) + msToNs(win.toMs);
      return end > latest ? end : latest;
    }, 0n);
  }

  /** The site file's budget `key` as a window from `anchor`, when the site has one. */
  budget(name: string, description: string, key: keyof Budgets, anchor: w.Anchor): Window[] {
    const budgetMs = this.scaled.budgets[key];
    return budgetMs === undefined ? [] : [w.budget(name, description, budgetMs, anchor)];
  }

  /**
   * Records the measurement against the window and returns its sentence. A timing outside its window while a
   * stand-in's timer fired later than the windows allow says so: the host was overloaded, and that is the reason named.
   */
  measure(window: Window, event: Stamped, fact: string): Sentence {
    const m = this.ev.measure(window, event.atNs, fact);
    const words = measuredWords(fact, window, event.ns);
    if (m.withinWindow === true) return { ok: true, text: words };
    const late = worstLateTimer(this.tl.events(), this.site.injected, toNs(window.anchorNs), event.ns, w.SCHEDULING_MS);
    if (!late) return { ok: false, text: words };
    return {
      ok: false,
      text:
        `${words}; meanwhile a timer of ${late.node} (${late.machine}) fired ${formatDurationMs(late.lateMs)} late, more than the ` +
        `${w.SCHEDULING_MS} ms the windows allow: ${HOST_OVERLOADED} (fewer sites at once, --parallel, or a quieter machine)`,
    };
  }

  /** A failed sentence about something that did not come; its window (if any) is recorded for the report. */
  missed(text: string, window: Window | null): Sentence {
    if (window) this.ev.addWindow(window);
    return { ok: false, text };
  }

  /** Records every sentence of the expectation for the report, then throws the failed ones together. */
  verdicts(sentences: readonly Sentence[]): void {
    for (const s of sentences) this.ev.addAssertion(s.text, s.ok);
    const failed = sentences.filter((s) => !s.ok).map((s) => s.text);
    if (failed.length > 0) throw new AssertionError(failed.join('\n'));
  }

  /** Fails the expectation with one sentence (and records its window, if any). */
  fail(text: string, window: Window | null): never {
    this.verdicts([this.missed(text, window)]);
    throw new AssertionError(text);
  }
}
