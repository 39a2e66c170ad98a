// Whose failure a failed scenario is: the site's (it broke an expectation or an invariant), or the harness's (the
// engine, Toxiproxy, the observer or the host failed), which makes the execution inconclusive (harness). A worker
// classifies each failure by these rules; an inconclusive execution is retried once and never counted as a failure.

import { AssertionError } from 'chai';
import { isHarnessError, type HarnessErrorCode } from '../core/errors.js';
import type { HarnessFault, HarnessPart } from '../core/model.js';
import { INCONCLUSIVE_PREFIX } from '../core/summary.js';
import { HOST_OVERLOADED } from '../check/words.js';

/** The errors the harness raises about its own machinery, and the part each one names. */
const HARNESS_CODES: Partial<Record<HarnessErrorCode, { part: HarnessPart; words: string }>> = {
  DOCKER_UNAVAILABLE: { part: 'engine', words: 'the engine failed' },
  START_FAILED: { part: 'start', words: 'the site could not be started' },
  SETUP_FAILED: { part: 'start', words: 'the site could not be set up' },
  IMAGE_BUILD_FAILED: { part: 'start', words: 'an image is missing' },
  OBSERVE_FAILED: { part: 'observer', words: 'the observer failed' },
  TOXIPROXY_FAILED: { part: 'toxiproxy', words: "the site's Toxiproxy failed" },
};

/**
 * The harness's fault in a failure, or null when the failure is the site's. The rules, in order:
 * - MACHINERY_FAILED (the scenario form checked the site's machinery right after the failure and found it broken: the
 *   engine not answering, the site's Toxiproxy not running or not answering, a stand-in or holder container gone or
 *   not running with no fault of the scenario having stopped it): the part it names.
 * - DOCKER_UNAVAILABLE, START_FAILED, SETUP_FAILED, IMAGE_BUILD_FAILED, OBSERVE_FAILED, TOXIPROXY_FAILED: the harness.
 * - CONTROL_FAILED with no answer (no HTTP status): the harness; a refusal (an HTTP status) is the site's answer.
 * - Any other error whose every line says a late timer spoiled its window ("the host was overloaded"): the host.
 * - Anything else (an assertion, a timeout, bad input): the site's, or the scenario's; failed.
 */
export function harnessFaultOf(error: unknown): HarnessFault | null {
  if (isHarnessError(error)) {
    if (error.code === 'MACHINERY_FAILED')
      return { part: (error.details['part'] as HarnessPart | undefined) ?? 'engine', cause: error.message };
    if (error.code === 'CONTROL_FAILED') {
      const status = error.details['status'];
      return status === null || status === undefined ? { part: 'control', cause: `the control API got no answer: ${error.message}` } : null;
    }
    const known = HARNESS_CODES[error.code];
    if (known) return { part: known.part, cause: `${known.words}: ${error.message}` };
  }
  const message = error instanceof Error ? error.message : String(error);
  const lines = message.split('\n').filter((line) => line.trim() !== '');
  if (lines.length > 0 && lines.every((line) => line.includes(HOST_OVERLOADED)))
    return { part: 'host', cause: `a late timer spoiled the window (${HOST_OVERLOADED}): ${lines[0]}` };
  return null;
}

/** The failure of an inconclusive execution as its record says it: the cause first, then what it spoiled. */
export function inconclusiveError(fault: HarnessFault, error: unknown): { message: string; stack: string | null } {
  const spoiled = error instanceof Error && error.cause instanceof Error ? error.cause : error;
  const spoiledText = spoiled instanceof Error ? spoiled.message : String(spoiled);
  const also = spoiledText === '' || fault.cause.endsWith(spoiledText) ? '' : `\nthe failure it spoiled: ${spoiledText}`;
  const stack = spoiled instanceof Error && !(spoiled instanceof AssertionError) ? (spoiled.stack ?? null) : null;
  return { message: `${INCONCLUSIVE_PREFIX}${fault.cause}${also}`, stack };
}

/** The worker's classifier for its reporter: an inconclusive record with its cause, or null for the site's failure. */
export function classifyFailure(error: unknown): { fault: HarnessFault; error: { message: string; stack: string | null } } | null {
  const fault = harnessFaultOf(error);
  return fault ? { fault, error: inconclusiveError(fault, error) } : null;
}
