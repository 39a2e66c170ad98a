// The few shapes every expectation is made of (Playwright's matchers): an event within its windows, a condition
// holding throughout a span, a state now. Each carries wait → window → verdict; a matcher states only its predicate,
// its windows and its words.

import { nowNs } from '../core/clock.js';
import type { Window } from '../core/model.js';
import type { ObservedSpan, Sentence } from '../check/timeline-checks.js';
import * as w from '../check/windows.js';
import { windowWords } from '../check/words.js';
import type { Stamped } from '../observe/timeline.js';
import type { Expectations, ObserveOptions } from './context.js';

/**
 * An event within its windows (the event itself is the shapes' own argument, a named predicate of observe/site-state):
 * what is awaited, when it counts from, what it is measured against, in words.
 */
export interface EventSpec<T extends Stamped> {
  /** What is awaited, for the progress view: "cms-secondary to become ACTIVE". */
  what: string;
  /** The event is the first match at or after this instant. */
  afterNs: bigint;
  /** Measured against each, in order; the wait lasts until the latest one's end. */
  windows?: readonly Window[];
  /** Without windows (a step the expectation needs, not a timing it checks): until when to wait (absolute). */
  untilNs?: bigint;
  /** The measured sentence's head once seen ("cms-secondary became ACTIVE"), or made from the event. */
  fact?: string | ((event: T) => string);
  /** The sentence when it never came ("cms-secondary never became ACTIVE"); "; expected it …" is added (see `expected`). */
  never: string;
  /** What follows "; expected it " when it never came. Default: the first window in words; null: nothing follows. */
  expected?: string | null;
  /** Further sentences about the event once seen: a second anchor's window, the attempt it came at. */
  also?: (event: T) => Sentence[];
  /** Collect the sentences of a seen event here, for the matcher's own verdict, instead of judging them at once. */
  into?: Sentence[];
}

/** Waits for the event, measures it, and returns it with its sentences, recorded but not judged; never throws. */
export async function seenWithin<T extends Stamped>(
  x: Expectations,
  pred: (e: Stamped) => e is T,
  spec: EventSpec<T>,
): Promise<{ event?: T; sentences: Sentence[] }> {
  const windows = spec.windows ?? [];
  const untilNs = windows.length > 0 ? x.end(...windows) : (spec.untilNs ?? nowNs());
  const event = await x.waitEvent<T>(pred, spec.afterNs, untilNs, spec.what);
  if (!event) {
    const expected = spec.expected === undefined ? (windows[0] ? windowWords(windows[0]) : null) : spec.expected;
    return { sentences: [x.missed(expected === null ? spec.never : `${spec.never}; expected it ${expected}`, windows[0] ?? null)] };
  }
  const fact = typeof spec.fact === 'function' ? spec.fact(event) : (spec.fact ?? spec.what);
  return { event, sentences: [...windows.map((win) => x.measure(win, event, fact)), ...(spec.also?.(event) ?? [])] };
}

/**
 * The event comes within its windows: waits for it after its anchor until the latest window's end; not seen, fails
 * with one sentence naming the window in words; seen, measures it against each window (naming an overloaded host as
 * the reason when a stand-in's timer fired late) and judges, or leaves the sentences in `into`. Returns the event.
 */
export async function eventWithin<T extends Stamped>(x: Expectations, pred: (e: Stamped) => e is T, spec: EventSpec<T>): Promise<T> {
  const { event, sentences } = await seenWithin(x, pred, spec);
  if (!event) return x.fail(sentences[0]!.text, null);
  if (spec.into) spec.into.push(...sentences);
  else x.verdicts(sentences);
  return event;
}

/** A condition holding throughout a span: where it starts, how long, and the sentences over the observed span. */
export interface SpanSpec extends ObserveOptions {
  /** Where the span starts: see ObserveOptions.from, or an anchor of the expectation's own (a heal). */
  start?: w.Anchor;
  /** How long it lasts. Default: the no-failover observation, twice the latest a failover could come. */
  lengthMs?: number;
  judge(span: ObservedSpan): Sentence[] | Promise<Sentence[]>;
}

/**
 * The condition holds throughout the span: waits for its end, then judges it. Until the end of the scenario, the
 * span's start is fixed now and the judgement runs when the site finishes (and fails the test there).
 */
export async function holdsThroughout(x: Expectations, spec: SpanSpec): Promise<void> {
  const start = spec.start ?? x.spanStart(spec.from ?? 'fault');
  const lengthMs = spec.lengthMs ?? w.noFailoverObservationMs(x.scaled);
  const judge = async (endNs?: bigint) => x.verdicts(await spec.judge(await x.observe(start, lengthMs, endNs)));
  if (spec.until === 'end') x.site.atEnd(() => judge(nowNs()));
  else await judge();
}

/** A state now: once the timeline holds everything up to now, the sentences about that instant. */
export async function stateNow(x: Expectations, judge: (atNs: bigint) => Sentence[] | Promise<Sentence[]>): Promise<void> {
  await x.site.flush();
  x.verdicts(await judge(nowNs()));
}
