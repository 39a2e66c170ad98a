// What an exploration covered: each fault it applied, by kind, target, stratum of the heartbeat cycle, failback policy
// and what the site was doing when it came (steady, failing over, handing back, on the ESS…). Pure.

import type { CmsName } from '../../images/protocol/index.js';
import { msToNs } from '../core/clock.js';
import type { CoverageRow, TestEvidence } from '../core/model.js';
import { isFault, type Schedule } from '../core/schedule.js';
import { is, linkAt } from '../observe/site-state.js';
import { factsOf, roleOf, servingActive, within, type ExecutionFacts } from '../check/facts.js';

/** The failback policy of a schedule in words: "hold-standby", "stay-active" or "auto failback", and autoFailover. */
export function policyWords(schedule: Schedule, site: { autoFailover: boolean; autoFailback: boolean; returningPrimary: string }): string {
  const p = { ...site, ...schedule.site?.policy };
  return `${p.autoFailback ? 'auto failback' : p.returningPrimary}${p.autoFailover ? '' : ', no auto failover'}`;
}

const QUARTERS = ['0–¼', '¼–½', '½–¾', '¾–1'];

/** The rows one execution adds: one per fault it applied. */
export function coverageOf(schedule: Schedule, evidence: TestEvidence, policy: string): Array<Omit<CoverageRow, 'count'>> {
  const facts = factsOf(evidence);
  if (facts === null) return [];
  const faultSteps = schedule.steps.filter(isFault);
  return evidence.faults.map((fault, i) => {
    const step = faultSteps[i];
    const stratum =
      step === undefined ? '?' : 'phase' in step.at ? QUARTERS[Math.min(3, Math.floor(step.at.phase * 4))]! : `at ${step.at.event}`;
    return { kind: fault.kind, target: fault.target, stratum, policy, during: during(facts, BigInt(fault.appliedNs)) };
  });
}

/** What the site was doing at `ns`, the most telling first. */
export function during(facts: ExecutionFacts, ns: bigint): string {
  const tl = facts.timeline;
  const ess = tl.last((e) => e.type === 'ess', { atOrBeforeNs: ns });
  if (ess?.type === 'ess' && ess.state === 'RESETTING') return 'ESS resetting';
  const handover = tl.last(is.autoFailback(), { atOrBeforeNs: ns });
  if (handover && ns - BigInt(handover.atNs) <= msToNs(facts.site.timers.heartbeatTimeoutMs)) return 'failback handover';
  if (ess?.type === 'ess' && ess.state === 'ACTIVE') return 'ESS in control';
  if (ess?.type === 'ess' && ess.state === 'NO_SERVICE_TIMING') return 'ESS no-service timing';
  const cms: CmsName[] = ['cms-primary', 'cms-secondary'];
  if (cms.every((node) => within(servingActive(facts, node), ns))) return 'both ACTIVE';
  const beat = tl.last((e) => e.type === 'heartbeat' && e.node === 'cms-secondary' && e.outcome !== 'sent', { atOrBeforeNs: ns });
  if (beat?.type === 'heartbeat' && beat.outcome === 'missed') return 'heartbeats missing';
  const links = cms.map((node) => linkAt(tl, node, ns)?.state);
  if (links.includes('TRANSLATION_PUMPUP')) return 'pump-up';
  if (links.some((s) => s !== undefined && s !== 'DATA_TRANSFER')) return 'Dual-IP cycle';
  if (cms.every((node) => !within(servingActive(facts, node), ns))) return 'no ACTIVE CMS';
  if (roleOf(facts, 'cms-secondary', ns) === 'ACTIVE') return 'after a failover';
  return 'steady';
}

/** Rows counted: the same kind, target, stratum, policy and situation are one row. */
export function tally(rows: ReadonlyArray<Omit<CoverageRow, 'count'>>): CoverageRow[] {
  const counts = new Map<string, CoverageRow>();
  for (const row of rows) {
    const key = JSON.stringify([row.kind, row.target, row.stratum, row.policy, row.during]);
    const found = counts.get(key);
    if (found) found.count += 1;
    else counts.set(key, { ...row, count: 1 });
  }
  return [...counts.values()].sort(
    (a, b) =>
      a.kind.localeCompare(b.kind) ||
      a.target.localeCompare(b.target) ||
      a.during.localeCompare(b.during) ||
      a.stratum.localeCompare(b.stratum),
  );
}
