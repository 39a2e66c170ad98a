// The chai plugin the suites assert with: outcome and timing on a Timeline (or an Evidence), each assertion
// recorded into the Evidence as a measurement and a sentence, and failing with the expected window and the measured value.
//
// Forms (all support `.not`):
//   expect(tl).to.showActivation(node).within(window)       first `role` ACTIVE of node at/after window.anchorNs
//   expect(tl).to.showEvent(matcher, description?).within(window)
//   expect(tl).to.haveNoDualActive()                         whole observation; unobservable CMS keep their last role
//   expect(tl).to.haveNoDualActive({ observableOnly: true }) a CMS counts only while observable (killed primary)
//   expect(tl).to.haveNoDualActive.during(span)              only in span (note: no parentheses before .during)
//   expect(tl).during(span).to.haveNoDualActive()            same, span first
//   const stretch = expect(tl).to.showDualActive()           returns the first DualActiveWindow
//   expect(tl).to.keepRole(node, role).throughout(span)
//   expect(tl).to.haveNoAcdGap(node)  /  haveNoAcdGap(node, span)  /  during(span).haveNoAcdGap(node)
//   expect(tl).to.exactlyOneActive(atNs?)                    among observable CMS; default the end of the observation
//   expect(tl).to.haveAlarm(node, alarm)                     optionally after during(span)
// `showActivation`, `showEvent` and `keepRole` assert nothing until `.within` / `.throughout` is called.
// `haveNoDualActive()` / `haveNoAcdGap(node)` assert at once over the whole observation: a `.during(span)` after the
// call re-checks the span, but the whole-observation check has already run, so scope first when that matters.

import type { AlarmName, HaRole, NodeName } from '../../images/protocol/index.js';
import type { ExpectedWindow, Measurement, TimelineEvent } from '../core/model.js';
import { HarnessError } from '../core/errors.js';
import { maxNs, minNs, nsToMs, toMonoNs, toNs, type Instant } from '../core/clock.js';
import { Evidence } from '../observe/evidence.js';
import { formatDurationMs } from '../core/format.js';
import { CMS_NODES, isRole, Timeline, type Span } from '../observe/timeline.js';
import { instantWords, scopeWords, spanAnchor, spanWords, windowWords, type Anchor } from './words.js';

/** Selects an event for `showEvent`: a predicate, or fields that must all be equal (`{ node: 'ess', type: 'ess', state: 'ACTIVE' }`). */
export type EventMatcher = ((event: TimelineEvent) => boolean) | Readonly<Record<string, unknown>>;

/**
 * Options of `haveNoDualActive` / `showDualActive`. `observableOnly`: a CMS counts as ACTIVE only while observable
 * (a killed primary stops counting when it stops answering); by default an unobservable CMS keeps its last known role.
 */
export interface DualActiveOptions {
  observableOnly?: boolean;
  span?: Span;
}

/** The first dual-ACTIVE stretch found by `showDualActive()`. */
export interface DualActiveWindow {
  fromNs: bigint;
  /** Null when both were still ACTIVE at the end of the observation. */
  toNs: bigint | null;
  /** Length; for an open stretch, up to the end of the observation. */
  durationMs: number;
  /** How many separate stretches were found in scope. */
  stretches: number;
}

declare global {
  // chai's own typings use this namespace; augmenting it is how plugins add assertions.
  // eslint-disable-next-line @typescript-eslint/no-namespace
  namespace Chai {
    interface Assertion {
      /** Selects the first `role` ACTIVE event of `node` after the window's anchor; check it with `.within(window)`. */
      showActivation(node: NodeName): Assertion;
      /** Selects the first matching event after the window's anchor; check it with `.within(window)`. */
      showEvent(matcher: EventMatcher, description?: string): Assertion;
      within(start: number, finish: number, message?: string): Assertion;
      within(start: Date, finish: Date, message?: string): Assertion;
      /** The event selected by showActivation/showEvent happened within the expected window. */
      within(window: ExpectedWindow): Assertion;
      /** Never both cms-primary and cms-secondary ACTIVE (whole observation, the given span, or `.during(span)`). */
      haveNoDualActive: CmshaSpanScoped;
      /** At least one dual-ACTIVE stretch; returns the first, measured. */
      showDualActive(options?: DualActiveOptions): DualActiveWindow;
      /** Selects a role to hold; check it with `.throughout(span)`. */
      keepRole(node: NodeName, role: HaRole): Assertion;
      /** The role selected by keepRole held at the span's start and did not change in it. */
      throughout(span: Span): Assertion;
      /** Scopes the assertion before (or re-checks the one just made) to a span. */
      during(span: Span): Assertion;
      /** No `acd-gap` event of `node` in the observation or the span. */
      haveNoAcdGap(node: NodeName, span?: Span): Assertion;
      /** Exactly one observable CMS ACTIVE at the instant (default: the end of the observation). */
      exactlyOneActive(atNs?: Instant): Assertion;
      /** `node` raised `alarm` (in the span when scoped). */
      haveAlarm(node: NodeName, alarm: AlarmName): Assertion;
    }

    interface CmshaSpanScoped extends Assertion {
      (spanOrOptions?: Span | DualActiveOptions): Assertion;
    }
  }
}

const FLAG = {
  /** The event awaiting `.within`: { what, pred, describe }. */
  target: 'cmsha.target',
  /** The role awaiting `.throughout`. */
  keepRole: 'cmsha.keepRole',
  /** A span given by `.during(span)` before the assertion. */
  span: 'cmsha.span',
  /** A chainable assertion accessed without a call yet (`haveNoDualActive.during`). */
  pending: 'cmsha.pending',
  /** The last assertion made, so a following `.during(span)` can re-check it in the span. */
  done: 'cmsha.done',
} as const;

type Ctx = Chai.AssertionStatic;
type Utils = Chai.ChaiUtils;
type Runner = (ctx: Ctx, span: Span | undefined) => void;

interface Target {
  kind: 'activation' | 'event';
  pred: (event: TimelineEvent) => boolean;
  /** Subject of the sentence: "cms-secondary" or the event description. */
  what: string;
}

/** `chai.use(cmshaChai)` */
export function cmshaChai(chai: Chai.ChaiStatic, utils: Utils): void {
  const { Assertion } = chai;

  Assertion.addMethod('showActivation', function (this: Ctx, node: NodeName) {
    const target: Target = { kind: 'activation', pred: isRole(node, 'ACTIVE'), what: node };
    utils.flag(this, FLAG.target, target);
  });

  Assertion.addMethod('showEvent', function (this: Ctx, matcher: EventMatcher, description?: string) {
    const target: Target = { kind: 'event', pred: toPredicate(matcher), what: description ?? describeMatcher(matcher) };
    utils.flag(this, FLAG.target, target);
  });

  Assertion.overwriteMethod('within', function (_super: (...args: unknown[]) => unknown) {
    return function (this: Ctx, ...args: unknown[]) {
      const target = utils.flag(this, FLAG.target) as Target | undefined;
      if (target === undefined && !isWindow(args[0])) return _super.apply(this, args);
      if (target === undefined) {
        throw new HarnessError('BAD_INPUT', 'within(window) needs showActivation(node) or showEvent(...) before it');
      }
      if (!isWindow(args[0])) {
        throw new HarnessError(
          'BAD_INPUT',
          `within(window) after ${target.kind === 'activation' ? 'showActivation' : 'showEvent'} needs an ExpectedWindow (see expectedWindow()), got ${String(args[0])}`,
        );
      }
      checkWithin(this, utils, target, args[0]);
      return undefined;
    };
  });

  const noDual: Runner = (ctx, span) => checkNoDualActive(ctx, utils, span, false);
  Assertion.addChainableMethod(
    'haveNoDualActive',
    function (this: Ctx, spanOrOptions?: Span | DualActiveOptions) {
      utils.flag(this, FLAG.pending, undefined);
      const options: DualActiveOptions = isSpan(spanOrOptions) ? { span: spanOrOptions } : (spanOrOptions ?? {});
      const observableOnly = options.observableOnly === true;
      run(this, utils, (ctx, span) => checkNoDualActive(ctx, utils, span, observableOnly), options.span);
    },
    function (this: Ctx) {
      utils.flag(this, FLAG.pending, noDual);
    },
  );

  Assertion.addMethod('showDualActive', function (this: Ctx, options: DualActiveOptions = {}) {
    return checkShowDualActive(
      this,
      utils,
      options.span ?? (utils.flag(this, FLAG.span) as Span | undefined),
      options.observableOnly === true,
    );
  });

  Assertion.addMethod('keepRole', function (this: Ctx, node: NodeName, role: HaRole) {
    utils.flag(this, FLAG.keepRole, { node, role });
  });

  Assertion.addMethod('throughout', function (this: Ctx, span: Span) {
    const keep = utils.flag(this, FLAG.keepRole) as { node: NodeName; role: HaRole } | undefined;
    if (keep === undefined) throw new HarnessError('BAD_INPUT', 'throughout(span) needs keepRole(node, role) before it');
    checkKeepRole(this, utils, keep.node, keep.role, requireSpan(span, 'throughout'));
  });

  Assertion.addMethod('during', function (this: Ctx, span: Span) {
    const scoped = requireSpan(span, 'during');
    const pending = utils.flag(this, FLAG.pending) as Runner | undefined;
    const keep = utils.flag(this, FLAG.keepRole) as { node: NodeName; role: HaRole } | undefined;
    const done = utils.flag(this, FLAG.done) as Runner | undefined;
    if (pending !== undefined) {
      utils.flag(this, FLAG.pending, undefined);
      run(this, utils, pending, scoped);
    } else if (keep !== undefined) {
      checkKeepRole(this, utils, keep.node, keep.role, scoped);
    } else if (done !== undefined) {
      done(this, scoped);
    } else {
      utils.flag(this, FLAG.span, scoped);
    }
  });

  Assertion.addMethod('haveNoAcdGap', function (this: Ctx, node: NodeName, span?: Span) {
    run(this, utils, (ctx, scope) => checkNoAcdGap(ctx, utils, node, scope), span);
  });

  Assertion.addMethod('exactlyOneActive', function (this: Ctx, atNs?: Instant) {
    checkExactlyOneActive(this, utils, atNs === undefined ? undefined : toNs(atNs));
  });

  Assertion.addMethod('haveAlarm', function (this: Ctx, node: NodeName, alarm: AlarmName) {
    run(this, utils, (ctx, scope) => checkAlarm(ctx, utils, node, alarm, scope), undefined);
  });
}

/** Runs a span-scopable assertion with the given span or the one set by a preceding `.during`, and remembers it. */
function run(ctx: Ctx, utils: Utils, runner: Runner, span: Span | undefined): void {
  utils.flag(ctx, FLAG.done, runner);
  runner(ctx, span ?? (utils.flag(ctx, FLAG.span) as Span | undefined));
}

// ---------------------------------------------------------------------------------------------
// The checks. Each builds the sentence for the positive and the negated assertion, records, then asserts.

function checkWithin(ctx: Ctx, utils: Utils, target: Target, window: ExpectedWindow): void {
  const timeline = subject(ctx, utils);
  const anchor: Anchor = { ns: toNs(window.anchorNs), label: window.anchorLabel };
  const expected = windowWords(window);
  timeline.recorder?.addWindow(window);
  const event = timeline.first(target.pred, { afterNs: anchor.ns });
  if (event === undefined) {
    const end = timeline.observedUntilNs;
    const ended = end === null ? 'nothing was observed' : `ended ${instantWords(timeline, end, anchor)}`;
    const fact =
      target.kind === 'activation'
        ? `${target.what} never became ACTIVE within the observation (${ended})`
        : `${target.what}: never seen within the observation (${ended})`;
    verdict(ctx, utils, timeline, false, `${fact}; expected ${expected}`, `${fact}; expected none within ${expected}`);
    return;
  }
  const atNs = BigInt(event.atNs);
  const valueMs = nsToMs(atNs - anchor.ns);
  const inWindow = valueMs >= window.fromMs && valueMs <= window.toMs;
  const fact =
    target.kind === 'activation'
      ? `${target.what} became ACTIVE ${formatDurationMs(valueMs)} after ${anchor.label}`
      : `${target.what}: first seen ${formatDurationMs(valueMs)} after ${anchor.label}`;
  measure(timeline, {
    name: window.name,
    description:
      target.kind === 'activation' ? `${target.what} became ACTIVE after ${anchor.label}` : `${target.what} after ${anchor.label}`,
    valueMs,
    anchorNs: toMonoNs(anchor.ns),
    atNs: event.atNs,
    window: window.name,
    withinWindow: inWindow,
  });
  verdict(ctx, utils, timeline, inWindow, `${fact}; expected ${expected}`, `${fact}; expected not within ${expected}`);
}

const OBSERVABLE_ONLY = ' (counting a CMS only while observable)';

interface Stretch {
  fromNs: bigint;
  toNs: bigint | null;
}

/** Dual-ACTIVE stretches clipped to the span (an open stretch clipped by a span ends with it). */
function dualActiveIn(timeline: Timeline, span: Span | undefined, observableOnly: boolean): Stretch[] {
  const all = timeline.dualActiveIntervals({ observableOnly });
  if (span === undefined) return all;
  const result: Stretch[] = [];
  for (const interval of all) {
    const from = maxNs(interval.fromNs, span.fromNs);
    const to = interval.toNs === null ? span.toNs : minNs(interval.toNs, span.toNs);
    if (to > from) result.push({ fromNs: from, toNs: interval.toNs === null && (timeline.observedUntilNs ?? 0n) <= span.toNs ? null : to });
  }
  return result;
}

function stretchMs(timeline: Timeline, stretch: Stretch): number {
  const end = stretch.toNs ?? timeline.observedUntilNs ?? stretch.fromNs;
  return nsToMs((end > stretch.fromNs ? end : stretch.fromNs) - stretch.fromNs);
}

function stretchWords(timeline: Timeline, stretches: Stretch[], anchor: Anchor | undefined): string {
  const [first] = stretches;
  if (first === undefined) return '';
  const from = instantWords(timeline, first.fromNs, anchor);
  const head =
    first.toNs === null
      ? `from ${from} until the end of the observation (${formatDurationMs(stretchMs(timeline, first))})`
      : `for ${formatDurationMs(stretchMs(timeline, first))} from ${from}`;
  const more = stretches.length - 1;
  return more === 0 ? head : `${head}, and in ${more} more stretch${more === 1 ? '' : 'es'}`;
}

function checkNoDualActive(ctx: Ctx, utils: Utils, span: Span | undefined, observableOnly: boolean): void {
  const timeline = subject(ctx, utils);
  const stretches = dualActiveIn(timeline, span, observableOnly);
  const scope = scopeWords(timeline, span) + (observableOnly ? OBSERVABLE_ONLY : '');
  const anchor = span === undefined ? undefined : spanAnchor(span);
  const never = `cms-primary and cms-secondary were never both ACTIVE during ${scope}`;
  if (stretches.length === 0) {
    verdict(ctx, utils, timeline, true, never, `${never}; expected a dual-ACTIVE stretch`);
    return;
  }
  const fact = `cms-primary and cms-secondary were both ACTIVE ${stretchWords(timeline, stretches, anchor)}`;
  verdict(ctx, utils, timeline, false, `${fact}; expected never both ACTIVE during ${scope}`, fact);
}

function checkShowDualActive(ctx: Ctx, utils: Utils, span: Span | undefined, observableOnly: boolean): DualActiveWindow | undefined {
  const timeline = subject(ctx, utils);
  const stretches = dualActiveIn(timeline, span, observableOnly);
  const scope = scopeWords(timeline, span) + (observableOnly ? OBSERVABLE_ONLY : '');
  const [first] = stretches;
  if (first === undefined) {
    const never = `cms-primary and cms-secondary were never both ACTIVE during ${scope}`;
    verdict(ctx, utils, timeline, false, `${never}; expected a dual-ACTIVE stretch`, never);
    return undefined;
  }
  const fact = `cms-primary and cms-secondary were both ACTIVE ${stretchWords(timeline, stretches, span === undefined ? undefined : spanAnchor(span))}`;
  const durationMs = stretchMs(timeline, first);
  measure(timeline, {
    name: 'dual-active window',
    description: 'cms-primary and cms-secondary both ACTIVE',
    valueMs: durationMs,
    anchorNs: toMonoNs(first.fromNs),
    atNs: toMonoNs(first.toNs ?? timeline.observedUntilNs ?? first.fromNs),
    window: null,
    withinWindow: null,
  });
  verdict(ctx, utils, timeline, true, fact, `${fact}; expected never both ACTIVE during ${scope}`);
  return { fromNs: first.fromNs, toNs: first.toNs, durationMs, stretches: stretches.length };
}

function checkKeepRole(ctx: Ctx, utils: Utils, node: NodeName, role: HaRole, span: Span): void {
  const timeline = subject(ctx, utils);
  const words = spanWords(timeline, span);
  const anchor = spanAnchor(span);
  const kept = `${node} stayed ${role} throughout ${words}`;
  const negated = `${kept}; expected it not to`;
  const atStart = timeline.roleAt(node, span.fromNs);
  if (atStart !== role) {
    const was = atStart === null ? `${node} had no known role` : `${node} was ${atStart}`;
    verdict(ctx, utils, timeline, false, `${was} at the start of ${words}; expected ${role} throughout`, negated);
    return;
  }
  const change = timeline.first((e) => e.node === node && e.type === 'role' && e.role !== role && BigInt(e.atNs) <= span.toNs, {
    afterNs: span.fromNs + 1n,
  });
  if (change !== undefined && change.type === 'role') {
    const when = instantWords(timeline, BigInt(change.atNs), anchor);
    verdict(ctx, utils, timeline, false, `${node} became ${change.role} ${when}, inside ${words}; expected ${role} throughout`, negated);
    return;
  }
  const observed = timeline.observedUntil(node);
  if (observed === null || observed < span.toNs) {
    const ended =
      observed === null ? 'nothing was observed' : `the observation of ${node} ended ${instantWords(timeline, observed, anchor)}`;
    verdict(
      ctx,
      utils,
      timeline,
      false,
      `${ended}, before the end of ${words}; cannot tell whether ${node} stayed ${role} throughout ` +
        '(let the span end and the observer catch up before asserting)',
      negated,
    );
    return;
  }
  verdict(ctx, utils, timeline, true, kept, negated);
}

function checkNoAcdGap(ctx: Ctx, utils: Utils, node: NodeName, span: Span | undefined): void {
  const timeline = subject(ctx, utils);
  const scope = scopeWords(timeline, span);
  const gaps = timeline.events((e) => e.node === node && e.type === 'acd-gap' && inSpan(e, span));
  const none = `${node} had no ACD data gap during ${scope}`;
  const [first] = gaps;
  if (first === undefined || first.type !== 'acd-gap') {
    verdict(ctx, utils, timeline, true, none, `${none}; expected a gap`);
    return;
  }
  const missing = gaps.reduce((sum, e) => sum + (e.type === 'acd-gap' ? e.missing : 0), 0);
  const when = instantWords(timeline, BigInt(first.atNs), span === undefined ? undefined : spanAnchor(span));
  const fact =
    `${node} had ${gaps.length} ACD data gap${gaps.length === 1 ? '' : 's'} (${missing} event${missing === 1 ? '' : 's'} missing) ` +
    `during ${scope}, the first ${when} (${first.missing} missing from ${first.source})`;
  verdict(ctx, utils, timeline, false, `${fact}; expected none`, fact);
}

function checkExactlyOneActive(ctx: Ctx, utils: Utils, atNs: bigint | undefined): void {
  const timeline = subject(ctx, utils);
  const at = atNs ?? timeline.observedUntilNs;
  if (at === null) {
    verdict(ctx, utils, timeline, false, 'nothing was observed; expected exactly one ACTIVE CMS', 'nothing was observed');
    return;
  }
  const when = atNs === undefined ? `the end of the observation (${instantWords(timeline, at)})` : instantWords(timeline, at);
  const unobservable = CMS_NODES.filter((node) => !timeline.isObservableAt(node, at));
  const active = CMS_NODES.filter((node) => !unobservable.includes(node) && timeline.roleAt(node, at) === 'ACTIVE');
  const excluded = unobservable.length === 0 ? '' : ` (${unobservable.join(' and ')} unobservable, not counted)`;
  if (active.length === 1) {
    const fact = `exactly one CMS was ACTIVE at ${when}: ${active.join('')}${excluded}`;
    verdict(ctx, utils, timeline, true, fact, `${fact}; expected not exactly one`);
    return;
  }
  const fact = `${active.length === 0 ? 'no CMS was' : `${active.length} CMS were`} ACTIVE at ${when}${active.length === 0 ? '' : `: ${active.join(' and ')}`}${excluded}`;
  verdict(ctx, utils, timeline, false, `${fact}; expected exactly one among the observable CMS`, fact);
}

function checkAlarm(ctx: Ctx, utils: Utils, node: NodeName, alarm: AlarmName, span: Span | undefined): void {
  const timeline = subject(ctx, utils);
  const scope = scopeWords(timeline, span);
  const raised = timeline.first((e) => e.node === node && e.type === 'alarm' && e.alarm === alarm && e.raised && inSpan(e, span));
  if (raised === undefined) {
    const fact = `${node} never raised ${alarm} during ${scope}`;
    verdict(ctx, utils, timeline, false, `${fact}; expected the alarm`, fact);
    return;
  }
  const fact = `${node} raised ${alarm} ${instantWords(timeline, BigInt(raised.atNs), span === undefined ? undefined : spanAnchor(span))}`;
  verdict(ctx, utils, timeline, true, fact, `${fact}; expected no ${alarm} during ${scope}`);
}

// ---------------------------------------------------------------------------------------------

/** Records the sentence that matches the outcome (negated or not) into the evidence, then asserts through chai. */
function verdict(ctx: Ctx, utils: Utils, timeline: Timeline, ok: boolean, text: string, negatedText: string): void {
  const negate = Boolean(utils.flag(ctx, 'negate'));
  timeline.recorder?.addAssertion(negate ? negatedText : text, negate ? !ok : ok);
  // chai fills #{...} placeholders in messages; our sentences have none, but escape to be sure.
  ctx.assert(ok, escapeChai(text), escapeChai(negatedText), undefined, undefined, false);
}

function escapeChai(text: string): string {
  return text.replace(/#\{/g, '#\u200b{');
}

function measure(timeline: Timeline, measurement: Measurement): void {
  timeline.recorder?.addMeasurement(measurement);
}

function subject(ctx: Ctx, utils: Utils): Timeline {
  const object: unknown = utils.flag(ctx, 'object');
  if (object instanceof Timeline) return object;
  if (object instanceof Evidence) return object.timeline;
  throw new HarnessError(
    'BAD_INPUT',
    `cms-ha-chaos assertions need a Timeline or an Evidence as the subject of expect(), got ${describeValue(object)}`,
  );
}

function describeValue(value: unknown): string {
  if (value === null || value === undefined) return String(value);
  if (typeof value === 'object') return value.constructor?.name ?? 'an object';
  return typeof value;
}

function requireSpan(span: unknown, method: string): Span {
  if (typeof span === 'object' && span !== null && typeof (span as Span).fromNs === 'bigint' && typeof (span as Span).toNs === 'bigint') {
    return span as Span;
  }
  throw new HarnessError(
    'BAD_INPUT',
    `${method}(span) needs a Span ({ fromNs: bigint, toNs: bigint }; see timeline.span()), got ${describeValue(span)}`,
  );
}

function isSpan(value: unknown): value is Span {
  return (
    typeof value === 'object' && value !== null && typeof (value as Span).fromNs === 'bigint' && typeof (value as Span).toNs === 'bigint'
  );
}

function isWindow(value: unknown): value is ExpectedWindow {
  return typeof value === 'object' && value !== null && 'fromMs' in value && 'toMs' in value && 'anchorNs' in value;
}

function inSpan(event: TimelineEvent, span: Span | undefined): boolean {
  if (span === undefined) return true;
  const at = BigInt(event.atNs);
  return at >= span.fromNs && at <= span.toNs;
}

function toPredicate(matcher: EventMatcher): (event: TimelineEvent) => boolean {
  if (typeof matcher === 'function') return matcher as (event: TimelineEvent) => boolean;
  const entries = Object.entries(matcher);
  return (event) => entries.every(([key, value]) => (event as unknown as Record<string, unknown>)[key] === value);
}

function describeMatcher(matcher: EventMatcher): string {
  if (typeof matcher === 'function') return 'the expected event';
  const fields = Object.entries(matcher).map(([key, value]) => `${key}=${String(value)}`);
  return `event ${fields.join(' ')}`;
}
