// Shrinking a failing schedule: the simpler schedules to try next, largest reductions first (a fault together with its
// heal, then single steps, shorter waits, simpler phases), and the rule that says whether a candidate still fails.

import { isFault, isHeal, isWait, type Placement, type Schedule, type ScheduleStep } from '../core/schedule.js';
import { numberFaults } from './generate.js';

/** Every simpler schedule one step away from `schedule`, in the order worth trying. */
export function shrinkCandidates(schedule: Schedule): Schedule[] {
  const steps = schedule.steps;
  const out: Array<ScheduleStep[]> = [];
  // A fault and its heal together (and everything placed at the events only it would cause is kept: it may still come).
  for (const f of steps.filter(isFault))
    out.push(steps.filter((s) => !(isFault(s) && s.fault === f.fault) && !(isHeal(s) && s.heal === f.fault)));
  // One step that is neither a fault nor a heal: an operator command, an administration change, a wait.
  steps.forEach((s, i) => {
    if (!isFault(s) && !isHeal(s)) out.push(steps.filter((_, j) => j !== i));
  });
  // Two waits in a row are one.
  steps.forEach((s, i) => {
    const next = steps[i + 1];
    if (isWait(s) && next && isWait(next))
      out.push([...steps.slice(0, i), { wait: { cycles: s.wait.cycles + next.wait.cycles } }, ...steps.slice(i + 2)]);
  });
  // Shorter waits: half as long, rounded to half a cycle.
  steps.forEach((s, i) => {
    if (!isWait(s) || s.wait.cycles <= 0.5) return;
    out.push(steps.map((x, j) => (j === i ? { wait: { cycles: Math.floor(s.wait.cycles) / 2 || 0.5 } } : x)));
  });
  // Simpler placements: an event placement becomes the middle of the cycle, a phase the start or the middle of it.
  steps.forEach((s, i) => {
    if (isWait(s)) return;
    for (const simpler of simplerPlacements(s.at)) out.push(steps.map((x, j) => (j === i ? ({ ...x, at: simpler } as ScheduleStep) : x)));
  });
  const seen = new Set([key(steps)]);
  return out
    .map((candidate) => numberFaults(candidate))
    .filter((candidate) => {
      const k = key(candidate);
      if (seen.has(k)) return false;
      seen.add(k);
      return true;
    })
    .map((candidate) => ({ ...schedule, steps: candidate }));
}

function simplerPlacements(at: Placement): Placement[] {
  if (!('phase' in at)) return [{ phase: 0.5 }];
  if (at.phase === 0) return [];
  if (at.phase === 0.5) return [{ phase: 0 }];
  return [{ phase: 0.5 }, { phase: 0 }];
}

function key(steps: readonly ScheduleStep[]): string {
  return JSON.stringify(steps);
}

/** How many faults a schedule applies (what "at most 3 faults" counts). */
export function faultCount(schedule: Schedule): number {
  return schedule.steps.filter(isFault).length;
}

/**
 * Whether a candidate still fails, from its runs so far: containers are not deterministic, so a candidate runs up to
 * `runs` times and counts as failing once it failed `needed` of them (with the same invariant broken the same way);
 * it is given up as soon as it can no longer reach that. Void and inconclusive runs do not count either way.
 */
export function shrinkDecision(
  outcomes: ReadonlyArray<'fails' | 'passes'>,
  rule: { runs: number; needed: number },
): 'fails' | 'passes' | 'undecided' {
  const fails = outcomes.filter((o) => o === 'fails').length;
  const passes = outcomes.length - fails;
  if (fails >= rule.needed) return 'fails';
  if (passes > rule.runs - rule.needed) return 'passes';
  return 'undecided';
}

/**
 * Shrinks one failing schedule, one run at a time, so the explorer can interleave its runs with others: `next()` says
 * which schedule to run, `report()` takes whether that run broke the invariant the same way (or said nothing: void,
 * inconclusive). A candidate that still fails becomes the schedule shrunk from; the shrinking is done when no
 * candidate of the current schedule still fails.
 */
export class Shrinker {
  #current: Schedule;
  #candidates: Schedule[];
  #index = 0;
  #outcomes: Array<'fails' | 'passes'> = [];
  #runs = 0;
  /** Candidates tried and accepted, and runs spent. */
  tried = 0;
  accepted = 0;
  spent = 0;

  constructor(
    schedule: Schedule,
    private readonly rule: { runs: number; needed: number },
  ) {
    this.#current = schedule;
    this.#candidates = shrinkCandidates(schedule);
  }

  /** The smallest schedule found so far that still fails. */
  get current(): Schedule {
    return this.#current;
  }

  get done(): boolean {
    return this.#index >= this.#candidates.length;
  }

  /** The schedule to run next, with a name for the run; null once done. */
  next(): { schedule: Schedule; run: string } | null {
    const candidate = this.#candidates[this.#index];
    if (!candidate) return null;
    return { schedule: candidate, run: `${this.tried + 1}.${this.#runs + 1}` };
  }

  /** What the run `next()` gave broke: 'fails' (the same invariant, the same way), 'passes', or null (void, inconclusive). */
  report(outcome: 'fails' | 'passes' | null): 'accepted' | 'rejected' | 'undecided' {
    this.spent += 1;
    this.#runs += 1;
    if (outcome !== null) this.#outcomes.push(outcome);
    const decision = shrinkDecision(this.#outcomes, this.rule);
    // A candidate that keeps saying nothing is given up after two runs more than the rule asks for.
    if (decision === 'undecided' && this.#runs < this.rule.runs + 2) return 'undecided';
    this.tried += 1;
    this.#outcomes = [];
    this.#runs = 0;
    if (decision === 'fails') {
      this.#current = this.#candidates[this.#index]!;
      this.#candidates = shrinkCandidates(this.#current);
      this.#index = 0;
      this.accepted += 1;
      return 'accepted';
    }
    this.#index += 1;
    return 'rejected';
  }
}
