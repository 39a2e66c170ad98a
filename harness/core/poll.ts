// The one polling helper of the harness: poll an observed condition until it holds or an absolute monotonic
// deadline passes. The pause between attempts is the only timer; a timeout names what was awaited and what was last seen.

import { HarnessError } from './errors.js';
import { elapsedMs, msToNs, nowNs, toNs, type Instant } from './clock.js';
import { formatDurationMs } from './format.js';

/** Default pauses between attempts; the last one repeats. Short first so fast conditions are seen fast. */
export const DEFAULT_INTERVALS_MS: readonly number[] = [20, 50, 100, 250, 500];

const NOT_YET: unique symbol = Symbol('cmsha.notYet');

/** What a probe returns when the condition does not hold yet and it can say what it saw instead. */
export interface NotYet {
  readonly [NOT_YET]: true;
  readonly observation: string;
}

/** "Not yet, and here is what I saw": the text becomes the last observation of a timeout. */
export function notYet(observation: string): NotYet {
  return { [NOT_YET]: true, observation };
}

function isNotYet(value: unknown): value is NotYet {
  return typeof value === 'object' && value !== null && NOT_YET in value;
}

/** Passed to each attempt so a probe can cancel its own I/O when the deadline passes. */
export interface ProbeContext {
  /** 1 for the first attempt. */
  attempt: number;
  /** Aborted when the deadline passes while this attempt is still running. */
  signal: AbortSignal;
}

/** A probe answers the value it waited for, or `undefined` / `false` / `notYet(observation)` when not yet. */
export type Probe<T> = (context: ProbeContext) => Promise<T | undefined | false | NotYet> | T | undefined | false | NotYet;

export interface WaitOptions {
  /** How long to wait, in ms, counted from `anchorNs` (default: from the call). Required; must be >= 0. */
  deadlineMs: number;
  /** What is awaited, in words; it opens the timeout message. Required. */
  label: string;
  /** Pauses between attempts in ms; the last one repeats. Default [20, 50, 100, 250, 500]. */
  intervalsMs?: readonly number[];
  /** Instant the deadline counts from (e.g. when a fault was applied). Default: now. */
  anchorNs?: Instant;
}

export interface WaitResult<T> {
  value: T;
  /** Instant the successful attempt answered. */
  atNs: bigint;
  /** From the call to the successful answer. */
  elapsedMs: number;
  attempts: number;
}

const TIMED_OUT: unique symbol = Symbol('cmsha.timedOut');
const THREW: unique symbol = Symbol('cmsha.threw');

/**
 * Polls `probe` until it answers a value other than `undefined`, `false` or `notYet(...)`, or the deadline passes.
 * Each attempt is raced against the deadline (a hung probe cannot hold the wait past it; its signal is aborted).
 * A probe that throws counts as "not yet" and its error becomes the last observation (and the timeout's cause).
 * Rejects with HarnessError('TIMEOUT') naming the label, the deadline and the last observation.
 */
export async function waitFor<T>(probe: Probe<T>, options: WaitOptions): Promise<WaitResult<T>> {
  const { deadlineMs, label } = options;
  const intervalsMs = options.intervalsMs ?? DEFAULT_INTERVALS_MS;
  if (typeof label !== 'string' || label.length === 0) {
    throw new HarnessError('BAD_INPUT', `waitFor: option "label" must be a non-empty string, got ${JSON.stringify(label)}`, {
      details: { option: 'label', value: label },
    });
  }
  if (!Number.isFinite(deadlineMs) || deadlineMs < 0) {
    throw new HarnessError('BAD_INPUT', `waitFor(${label}): option "deadlineMs" must be a finite number >= 0, got ${deadlineMs}`, {
      details: { option: 'deadlineMs', value: deadlineMs },
    });
  }
  if (intervalsMs.length === 0 || intervalsMs.some((ms) => !Number.isFinite(ms) || ms <= 0)) {
    throw new HarnessError(
      'BAD_INPUT',
      `waitFor(${label}): option "intervalsMs" must be a non-empty list of positive numbers, got [${intervalsMs.join(', ')}]`,
      {
        details: { option: 'intervalsMs', value: intervalsMs },
      },
    );
  }

  const startNs = nowNs();
  const deadlineNs = (options.anchorNs === undefined ? startNs : toNs(options.anchorNs)) + msToNs(deadlineMs);
  let attempts = 0;
  let lastObservation = 'no attempt finished before the deadline';
  let lastError: unknown;

  for (;;) {
    attempts += 1;
    const controller = new AbortController();
    let outcome: unknown;
    try {
      outcome = await raceDeadline(() => probe({ attempt: attempts, signal: controller.signal }), deadlineNs);
      lastError = undefined;
    } catch (error) {
      lastError = error;
      lastObservation = `attempt ${attempts} threw: ${error instanceof Error ? error.message : String(error)}`;
      outcome = THREW;
    }
    if (outcome === TIMED_OUT) {
      controller.abort(new HarnessError('TIMEOUT', `deadline of ${label} passed`));
      lastObservation = `attempt ${attempts} was still running at the deadline (before it: ${lastObservation})`;
      break;
    }
    if (outcome !== THREW) {
      if (outcome !== undefined && outcome !== false && !isNotYet(outcome)) {
        const atNs = nowNs();
        return { value: outcome as T, atNs, elapsedMs: elapsedMs(startNs, atNs), attempts };
      }
      lastObservation = isNotYet(outcome) ? outcome.observation : `the probe answered ${String(outcome)}`;
    }

    const remainingMs = Number(deadlineNs - nowNs()) / 1e6;
    if (remainingMs <= 0) break;
    const pauseMs = Math.min(intervalsMs[Math.min(attempts - 1, intervalsMs.length - 1)] ?? 500, remainingMs);
    await pause(pauseMs);
  }

  const waitedMs = elapsedMs(startNs);
  throw new HarnessError(
    'TIMEOUT',
    `Timed out waiting for ${label}: deadline ${formatDurationMs(deadlineMs)}` +
      `${options.anchorNs === undefined ? '' : ' after the anchor'} passed after ${attempts} attempt${attempts === 1 ? '' : 's'} ` +
      `(${formatDurationMs(waitedMs)} waited); last observation: ${lastObservation}`,
    { cause: lastError, details: { label, deadlineMs, attempts, waitedMs, lastObservation } },
  );
}

/** Runs one attempt; a synchronous answer is taken as is, a promise is raced against the deadline. */
async function raceDeadline<T>(attempt: () => Promise<T> | T, deadlineNs: bigint): Promise<T | typeof TIMED_OUT> {
  const answer = attempt();
  if (!(answer instanceof Promise)) return answer;
  const remainingMs = Number(deadlineNs - nowNs()) / 1e6;
  if (remainingMs <= 0) {
    // Give an already-settled promise its microtask turn; anything slower is past the deadline.
    answer.catch(() => undefined);
    return Promise.race([answer, Promise.resolve().then(() => Promise.resolve(TIMED_OUT as typeof TIMED_OUT))]);
  }
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<typeof TIMED_OUT>((resolve) => {
    timer = setTimeout(() => resolve(TIMED_OUT), Math.ceil(remainingMs));
  });
  try {
    return await Promise.race([answer, deadline]);
  } finally {
    clearTimeout(timer);
    // A late rejection of an abandoned attempt must not surface as an unhandled rejection.
    answer.catch(() => undefined);
  }
}

function pause(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/**
 * Promise.all that rejects only once every promise has settled, with the first rejection: when it throws, nothing
 * is still being made, so the caller's clean-up sees everything there is to remove.
 */
export async function allSettledOrThrow<T>(work: ReadonlyArray<Promise<T>>): Promise<T[]> {
  const settled = await Promise.allSettled(work);
  const failed = settled.find((s): s is PromiseRejectedResult => s.status === 'rejected');
  if (failed) throw failed.reason;
  return settled.map((s) => (s as PromiseFulfilledResult<T>).value);
}
