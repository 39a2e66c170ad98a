// The invariants I1–I7 of DESIGN §1 as an expectation: the pure checkers of check/invariants.ts over the finished
// timeline, once the site had its convergence bound after the last move, every verdict recorded for the report.

import { factsOf } from '../check/facts.js';
import { checkInvariants, settledByNs } from '../check/invariants.js';
import type { Sentence } from '../check/timeline-checks.js';
import type { InvariantVerdict } from '../core/model.js';
import type { Expectations } from './context.js';

/**
 * Every invariant of DESIGN §1 (I1–I7) holds over the whole test: judged over the finished timeline once the site
 * had its convergence bound after the last fault healed or step made, and one more heartbeat round to hold.
 */
export async function toHoldInvariants(x: Expectations): Promise<void> {
  await x.site.flush();
  const before = factsOf(x.ev.toJSON(), x.scaled) ?? x.fail('the invariants need a site the test observed', null);
  await x.untilObserved(settledByNs(before));
  const verdicts = checkInvariants(factsOf(x.ev.toJSON(), x.scaled)!);
  x.ev.setInvariants(verdicts);
  x.verdicts(verdicts.map(invariantSentence));
}

/** An invariant's verdict in one sentence: held, broken (every violation), or broken while the host was overloaded. */
export function invariantSentence(v: InvariantVerdict): Sentence {
  const broken = v.violations.filter((x) => x.void === null);
  const voided = v.violations.filter((x) => x.void !== null);
  if (broken.length > 0) return { ok: false, text: `${v.invariant} ${v.name}: ${broken.map((x) => x.message).join('; ')}` };
  if (voided.length > 0)
    return { ok: false, text: `${v.invariant} ${v.name}: ${voided.map((x) => `${x.message}; meanwhile ${x.void}`).join('; ')}` };
  return { ok: true, text: `${v.invariant} ${v.name}: held` };
}
